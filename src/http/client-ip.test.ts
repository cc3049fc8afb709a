import { describe, expect, it } from "vitest";
import { parseTrustedProxies, resolveClientIp } from "./client-ip.js";

const trusted = parseTrustedProxies(["10.0.0.0/8", "::1", "2a02:8070:ffff::/48"]);

describe("resolveClientIp", () => {
  it.each([
    ["untrusted socket ignores XFF", "81.2.69.142", "1.1.1.1", "81.2.69.142"],
    ["v4-mapped socket is normalised", "::ffff:81.2.69.142", undefined, "81.2.69.142"],
    ["trusted socket without XFF is the socket", "10.0.0.1", undefined, "10.0.0.1"],
    ["trusted socket takes the last XFF hop", "10.0.0.1", "81.2.69.142", "81.2.69.142"],
    ["skips trusted hops right to left", "10.0.0.1", "8.8.8.8, 81.2.69.142, 10.2.2.2", "81.2.69.142"],
    ["all hops trusted → leftmost", "::1", "10.3.3.3, 10.2.2.2", "10.3.3.3"],
    ["garbage hop stops at the nearest trusted", "10.0.0.1", "81.2.69.142, not-an-ip", "10.0.0.1"],
    ["garbage behind a trusted hop stops there", "10.0.0.1", "junk, 10.9.9.9", "10.9.9.9"],
    ["v6 proxy and v6 client", "2a02:8070:ffff::1", "2a02:8070:a1b2::1", "2a02:8070:a1b2::1"],
    ["mapped address in XFF", "10.0.0.1", "::ffff:81.2.69.142", "81.2.69.142"],
  ])("%s", (_n, socket, xff, expected) => {
    expect(resolveClientIp(socket, xff, trusted)?.text).toBe(expected);
  });

  it("is undefined without a usable socket address", () => {
    expect(resolveClientIp(undefined, "81.2.69.142", trusted)).toBeUndefined();
    expect(resolveClientIp("nonsense", "81.2.69.142", trusted)).toBeUndefined();
  });
});

describe("parseTrustedProxies", () => {
  it("canonicalises and rejects garbage with config_invalid", () => {
    expect(parseTrustedProxies(["10.0.0.1", "fd00::/8"])).toEqual(["10.0.0.1/32", "fd00::/8"]);
    let code: string | undefined;
    try {
      parseTrustedProxies(["10.0.0.0/40"]);
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe("config_invalid");
  });
});
