import { describe, expect, it } from "vitest";
import { parseIp, type ParsedIp } from "../core/ip.js";
import {
  asFqdn,
  decodeComponent,
  mergeParams,
  parseParams,
  rawQuery,
  readAddresses,
  readHostnames,
} from "./dyndns2-params.js";

const ip = (s: string): ParsedIp => parseIp(s) ?? { text: "invalid", family: 4 };

describe("decodeComponent", () => {
  it.each([
    ["plain", "plain"],
    ["a+b", "a b"],
    ["a%20b", "a b"],
    ["%2C", ","],
    ["caf%C3%A9", "café"],
    ["%FF", undefined], // invalid UTF-8
    ["%C0%AF", undefined], // overlong encoding
    ["%ZZ", undefined],
    ["%", undefined],
    ["%4", undefined],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(decodeComponent(input)).toBe(expected);
  });
});

describe("parseParams", () => {
  it("lowercases keys, keeps the first occurrence, tolerates empty parts and keys without =", () => {
    const p = parseParams("HostName=a.example.com&&hostname=b.example.com&offline&myip=");
    expect(p.tooLarge).toBe(false);
    expect(Object.fromEntries(p.values)).toEqual({
      hostname: { ok: true, value: "a.example.com" },
      offline: { ok: true, value: "" },
      myip: { ok: true, value: "" },
    });
  });

  it("flags bad encodings and oversized values per parameter", () => {
    const p = parseParams(`hostname=%FF&myip=${"1".repeat(1025)}&mx=${"m".repeat(1024)}`);
    expect(p.values.get("hostname")).toEqual({ ok: false, problem: "bad_encoding" });
    expect(p.values.get("myip")).toEqual({ ok: false, problem: "too_large" });
    expect(p.values.get("mx")?.ok).toBe(true);
  });

  it("allows a long hostname list up to 5120 bytes", () => {
    expect(parseParams(`hostname=${"a".repeat(5120)}`).values.get("hostname")?.ok).toBe(true);
    expect(parseParams(`hostname=${"a".repeat(5121)}`).values.get("hostname")).toEqual({
      ok: false,
      problem: "too_large",
    });
  });

  it("reads nothing from an input over 8 KiB", () => {
    const p = parseParams(`hostname=a.example.com&pad=${"x".repeat(8200)}`);
    expect(p).toEqual({ tooLarge: true, values: new Map() });
  });

  it("mergeParams lets the first (query) win", () => {
    const m = mergeParams(parseParams("myip=1.1.1.1"), parseParams("myip=2.2.2.2&hostname=h.example.com"));
    expect(m.values.get("myip")).toEqual({ ok: true, value: "1.1.1.1" });
    expect(m.values.get("hostname")).toEqual({ ok: true, value: "h.example.com" });
  });
});

describe("rawQuery", () => {
  it.each([
    ["http://h/nic/update?a=%FF&b=2", "a=%FF&b=2"],
    ["http://h/nic/update", ""],
    ["http://h/nic/update?a=1#frag", "a=1"],
  ])("%s → %s", (url, expected) => {
    expect(rawQuery(url)).toBe(expected);
  });
});

describe("readHostnames", () => {
  const read = (q: string, user?: string) => readHostnames(parseParams(q), user);
  it.each([
    ["hostname=a.example.com", undefined, { kind: "list", items: ["a.example.com"] }],
    [
      "hostname= a.example.com , ,b.example.com,",
      undefined,
      { kind: "list", items: ["a.example.com", "b.example.com"] },
    ],
    ["hostname=", undefined, { kind: "none" }],
    ["", "tk_aaaaaaaaaa", { kind: "none" }],
    ["", "home.example.com", { kind: "list", items: ["home.example.com"] }],
    ["hostname=YES", "home.example.com", { kind: "list", items: ["home.example.com"] }],
    ["hostname=yes", "bare", { kind: "none" }],
    ["hostname=%FF", "home.example.com", { kind: "unreadable" }],
    [`hostname=${Array(21).fill("a.example.com").join(",")}`, undefined, { kind: "too_many" }],
  ])("%s (user %s)", (q, user, expected) => {
    expect(read(q, user)).toEqual(expected);
  });
});

describe("asFqdn", () => {
  it.each([
    ["home.example.com", "home.example.com"],
    ["Home.Example.COM.", "home.example.com"],
    ["bare", undefined],
    ["bare.", undefined],
    ["a..b", undefined],
    ["*.example.com", undefined],
    ["", undefined],
  ])("%j → %j", (input, expected) => {
    expect(asFqdn(input)).toBe(expected);
  });
});

describe("readAddresses", () => {
  const client4 = ip("81.2.69.142");
  const client6 = ip("2a02:8070:a1b2::1");
  const read = (q: string, client: ParsedIp | undefined = client4) => readAddresses(parseParams(q), client);
  const ok = (v4?: string, v6?: string) => ({
    ok: true,
    v4: v4 === undefined ? undefined : ip(v4),
    v6: v6 === undefined ? undefined : ip(v6),
  });

  it.each([
    ["", client4, ok("81.2.69.142")],
    ["myip=", client4, ok("81.2.69.142")],
    ["myip=", client6, ok(undefined, "2a02:8070:a1b2::1")],
    ["myip=81.2.69.1", client6, ok("81.2.69.1")],
    ["myip=81.2.69.1,2a02::5", client4, ok("81.2.69.1", "2a02::5")],
    ["myip=2a02::5, 81.2.69.1", client4, ok("81.2.69.1", "2a02::5")],
    ["myip=2a02:8070:a1b2:1::1/64", client4, ok(undefined, "2a02:8070:a1b2:1::1")],
    ["myip=81.2.69.1&myipv6=2a02::5/56", client4, ok("81.2.69.1", "2a02::5")],
    ["myip=81.2.69.1,2a02::5&myipv6=2a02::6", client4, ok("81.2.69.1", "2a02::6")],
    ["myip=81.2.69.1&myip6=2a02::6", client4, ok("81.2.69.1", "2a02::6")],
    ["myip=81.2.69.1&ipv6=2a02::6", client4, ok("81.2.69.1", "2a02::6")],
    ["myip=81.2.69.1&myipv6=", client4, ok("81.2.69.1")],
    ["myip=81.2.69.1,2a02::5&myipv6=NO", client4, ok("81.2.69.1")],
    ["myipv4=81.2.69.9", client6, ok("81.2.69.9", "2a02:8070:a1b2::1")],
    ["myipv6=2a02::6", client4, ok("81.2.69.142", "2a02::6")],
  ])("%s from %j", (q, client, expected) => {
    expect(read(q, client)).toEqual(expected);
  });

  it.each([
    ["myip=1.2.3"],
    ["myip=81.2.69.1,81.2.69.2"],
    ["myip=2a02::1,2a02::2"],
    ["myip=81.2.69.1,2a02::1,81.2.69.3"],
    ["myip=81.2.69.1/24/3"],
    ["myip=fe80::1%25eth0"],
    ["myip=%FF"],
    ["myipv6=81.2.69.1"],
    ["myipv4=2a02::1"],
    ["myipv6=%FF"],
    ["myip=2a02::1&myipv6=no"],
  ])("refuses %s", (q) => {
    expect(read(q)).toMatchObject({ ok: false });
  });

  it("refuses when there is no address at all", () => {
    expect(readAddresses(parseParams(""), undefined)).toMatchObject({ ok: false });
    expect(readAddresses(parseParams("myipv6=no"), client6)).toMatchObject({ ok: false });
  });
});
