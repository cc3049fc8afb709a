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

  // nginx's $proxy_add_x_forwarded_for appends the address it saw to what the client sent
  // (docs/deploy/reverse-proxy.md): the right-most untrusted entry is the client, whatever it forged.
  it.each([
    ["a forged global address", "81.2.69.142, 203.0.113.7"],
    ["a forged trusted address", "10.1.1.1, 203.0.113.7"],
    ["a forged chain of proxies", "81.2.69.142, 10.1.1.1, ::1, 203.0.113.7"],
    ["forged garbage", "unknown, 203.0.113.7"],
  ])("nginx in front: %s left of the appended entry does not win", (_n, xff) => {
    expect(resolveClientIp("127.0.0.1", xff, parseTrustedProxies(["127.0.0.1"]))?.text).toBe("203.0.113.7");
  });

  it("the failure modes the deployment docs describe", () => {
    const sent = "81.2.69.142, 203.0.113.7";
    // no trusted proxies: every client is the proxy
    expect(resolveClientIp("127.0.0.1", sent, [])?.text).toBe("127.0.0.1");
    // a list wide enough to hold the client: its forged entry wins
    expect(
      resolveClientIp("127.0.0.1", sent, parseTrustedProxies(["127.0.0.1", "203.0.113.0/24"]))?.text,
    ).toBe("81.2.69.142");
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
