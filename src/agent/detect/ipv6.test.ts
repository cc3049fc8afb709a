import { describe, expect, it } from "vitest";
import { parseIp } from "../../core/ip.js";
import type { InterfaceAddress } from "../system/types.js";
import { eui64Suffix, selectStableIpv6, withSuffix } from "./ipv6.js";

const MAC = "aa:bb:cc:dd:ee:ff";
const a = (address: string, o: Partial<InterfaceAddress> = {}): InterfaceAddress => ({
  interface: "eth0",
  address,
  family: 6,
  prefixLength: 64,
  temporary: false,
  deprecated: false,
  tentative: false,
  mac: MAC,
  ...o,
});

const EUI = "2a02:8070:1234:0:a8bb:ccff:fedd:eeff";
const STABLE_PRIVACY = "2a02:8070:1234:0:5a1d:93e2:7c4b:1f0a";
const TEMP = "2a02:8070:1234:0:1111:2222:3333:4444";

describe("selectStableIpv6", () => {
  const cases: [string, InterfaceAddress[], string | undefined][] = [
    [
      "skips a temporary address and takes the stable one",
      [a(TEMP, { temporary: true }), a(STABLE_PRIVACY)],
      STABLE_PRIVACY,
    ],
    [
      "skips a deprecated address from the old prefix",
      [a("2a02:8070:9999::1", { deprecated: true }), a(STABLE_PRIVACY)],
      STABLE_PRIVACY,
    ],
    ["skips a tentative address", [a(EUI, { tentative: true }), a(STABLE_PRIVACY)], STABLE_PRIVACY],
    [
      "skips link-local, loopback and multicast",
      [a("fe80::a8bb:ccff:fedd:eeff"), a("::1"), a("ff02::1")],
      undefined,
    ],
    [
      "returns nothing when only temporary and deprecated addresses remain",
      [a(TEMP, { temporary: true }), a(EUI, { deprecated: true })],
      undefined,
    ],
    ["prefers the EUI-64 address of the interface's MAC", [a(STABLE_PRIVACY), a(EUI)], EUI],
    [
      "prefers a global address over a ULA",
      [a("fd00::1"), a("2a02:8070:1234::ffff")],
      "2a02:8070:1234::ffff",
    ],
    ["takes a ULA when it is all there is (the verdict judges it)", [a("fd00::1")], "fd00::1"],
    [
      "breaks ties by the lowest address",
      [a("2a02:8070:1234::9"), a("2a02:8070:1234::2")],
      "2a02:8070:1234::2",
    ],
    ["ignores other interfaces", [a(EUI, { interface: "wlan0" }), a(STABLE_PRIVACY)], STABLE_PRIVACY],
    ["ignores IPv4 entries", [a("81.2.69.142", { family: 4 })], undefined],
    ["skips a v4-mapped address", [a("::ffff:81.2.69.142")], undefined],
  ];
  it.each(cases)("%s", (_title, addrs, expected) => {
    expect(selectStableIpv6(addrs, "eth0")?.address).toBe(expected);
    expect(selectStableIpv6([...addrs].reverse(), "eth0")?.address).toBe(expected);
  });
});

describe("eui64Suffix", () => {
  it.each([
    ["aa:bb:cc:dd:ee:ff", "::a8bb:ccff:fedd:eeff"],
    ["AA-BB-CC-DD-EE-FF", "::a8bb:ccff:fedd:eeff"],
    ["02:00:00:00:00:01", "::ff:fe00:1"],
    ["00:11:22:33:44:55", "::211:22ff:fe33:4455"],
  ])("%s → %s (U/L bit flipped, ff:fe inserted)", (mac, suffix) => {
    expect(eui64Suffix(mac)).toBe(suffix);
  });

  it.each([
    "aa:bb:cc:dd:ee",
    "aa:bb:cc:dd:ee:ff:00",
    "aa:bb-cc:dd:ee:ff",
    "gg:bb:cc:dd:ee:ff",
    "aabbccddeeff",
    "",
  ])("rejects the malformed MAC %j", (mac) => {
    expect(eui64Suffix(mac)).toBeUndefined();
  });
});

describe("withSuffix", () => {
  const prefix = parseIp("2a02:8070:1234:0:5a1d:93e2:7c4b:1f0a")!;
  it.each([
    ["::1234", 64, "2a02:8070:1234::1234"],
    ["::a8bb:ccff:fedd:eeff", 64, EUI],
    ["::1:0:0:0:7", 48, "2a02:8070:1234:1::7"],
    ["::7", 60, "2a02:8070:1234::7"],
    ["::1", 126, "2a02:8070:1234:0:5a1d:93e2:7c4b:1f09"],
  ])("adds the host part %s after /%s of the prefix", (suffix, len, expected) => {
    expect(withSuffix(prefix, len, suffix)?.text).toBe(expected);
  });

  it.each([
    ["an IPv4 prefix", parseIp("81.2.69.142")!, 24, "::1"],
    ["a suffix that is not IPv6", prefix, 64, "1234"],
    ["a suffix with a zone id", prefix, 64, "::1%eth0"],
    ["a suffix reaching into the prefix", prefix, 64, "1::1"],
    ["a prefix length of 129", prefix, 129, "::1"],
    ["a negative prefix length", prefix, -1, "::1"],
    ["a host part with bits inside a /126 prefix", prefix, 126, "::5"],
  ])("refuses %s", (_t, p, len, suffix) => {
    expect(withSuffix(p, len, suffix)).toBeUndefined();
  });
});
