import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { addressInto, ipv4Bytes, ipv6Bytes } from "./address.js";

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString("hex"));

describe("ipv4Bytes", () => {
  it("encodes dotted quads", () => {
    expect(hex(ipv4Bytes("81.2.69.160"))).toBe("510245a0");
    expect(hex(ipv4Bytes("0.0.0.0"))).toBe("00000000");
    expect(hex(ipv4Bytes("255.255.255.255"))).toBe("ffffffff");
  });
  it.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.04",
    "1..3.4",
    ".1.2.3",
    "1.2.3.4.",
    " 1.2.3.4",
    "1.2.3.4/24",
    "0x1.2.3.4",
    "1.2.3.-4",
    "１.2.3.4",
    "1.2.3.4444",
  ])("refuses %j", (s) => {
    expect(ipv4Bytes(s)).toBeUndefined();
  });
});

describe("ipv6Bytes", () => {
  it.each([
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["2a02:8070::f:423f", "2a0280700000000000000000000f423f"],
    ["2001:DB8::A", "20010db800000000000000000000000a"],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
    ["::ffff:81.2.69.160", "00000000000000000000ffff510245a0"],
    ["1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"],
    ["fe80:0:0:0:0:0:0:1", "fe800000000000000000000000000001"],
  ])("encodes %s", (s, want) => {
    expect(hex(ipv6Bytes(s))).toBe(want);
  });
  it.each([
    "",
    ":",
    ":::",
    "1::2::3",
    ":1::2",
    "1::2:",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7::8",
    "12345::",
    "g::1",
    "fe80::1%eth0",
    "2001:db8::/32",
    "1.2.3.4::",
    "::1.2.3.4:5",
    "::256.1.1.1",
    "1:2:3:4:5:6:7:1.2.3.4",
    " ::1",
  ])("refuses %j", (s) => {
    expect(ipv6Bytes(s)).toBeUndefined();
  });
  it("agrees with ipaddr.js on 20 000 random addresses in several spellings", () => {
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 20_000; i++) {
      const bytes = Array.from({ length: 16 }, () => (rnd() % 4 === 0 ? 0 : rnd() & 0xff));
      const addr = ipaddr.fromByteArray(bytes) as ipaddr.IPv6;
      const full = addr
        .toNormalizedString()
        .split(":")
        .map((g) => g.padStart(4, "0"))
        .join(":");
      for (const text of [addr.toString(), addr.toNormalizedString(), full, full.toUpperCase()]) {
        expect(hex(ipv6Bytes(text))).toBe(Buffer.from(bytes).toString("hex"));
      }
    }
  });
  it("never throws on random strings of address characters", () => {
    let seed = 11;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const alphabet = "0123456789abcdefABCDEF:.:%/ g";
    for (let i = 0; i < 50_000; i++) {
      const s = Array.from({ length: rnd() % 46 }, () => alphabet[rnd() % alphabet.length]).join("");
      const got = ipv6Bytes(s);
      const valid = ipaddr.IPv6.isValid(s) && !s.includes("%") && ipaddr.IPv6.parse(s).toString() !== "";
      if (got !== undefined) expect(valid).toBe(true);
    }
  });
});

describe("addressInto", () => {
  it("writes IPv4 and IPv6 octets into the caller's buffer, clearing what a longer address left", () => {
    const out = new Uint8Array(16).fill(0xee);
    expect(addressInto("2001:db8::1", out)).toBe(6);
    expect(hex(out)).toBe("20010db8000000000000000000000001");
    expect(addressInto("::", out)).toBe(6);
    expect(hex(out)).toBe("0".repeat(32));
    expect(addressInto("10.1.2.3", out)).toBe(4);
    expect(hex(out.subarray(0, 4))).toBe("0a010203");
    expect(addressInto("::ffff:10.1.2.3", out)).toBe(6);
    expect(hex(out.subarray(10))).toBe("ffff0a010203");
  });
  it.each(["", "fe80::1%eth0", "1.2.3", "10.0.0.1:53", "[::1]", "not an address", "1::2::3"])(
    "refuses %j",
    (s) => {
      expect(addressInto(s, new Uint8Array(16))).toBe(0);
    },
  );
});
