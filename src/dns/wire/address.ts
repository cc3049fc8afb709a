// Address text → rdata octets without a general-purpose IP library: the zone index encodes every
// A and AAAA value it loads (two million for a million hosts), and ipaddr.js's regular expressions were
// a tenth of start-up time. Strict: the strings accepted are exactly the plain textual forms — IPv4
// dotted decimal without leading zeros, IPv6 per RFC 4291 §2.2 (hex groups, one "::", an IPv4 tail) —
// and anything else (zone ids, prefixes, spaces, leading zeros in IPv4) is undefined, never a throw.
//
// The octets are views on a shared slab (like Buffer.allocUnsafe's pool): one small object per value
// instead of an ArrayBuffer each. They must not be written to.

const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/** `n` (≤ SLAB_SIZE) zeroed octets carved from the current slab. */
function slabBytes(n: number): Uint8Array {
  if (used + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const out = slab.subarray(used, used + n);
  used += n;
  return out;
}

/** Writes the 4 octets of a dotted quad at `out[at…]`; false if `s[from, to)` is not one. */
function readV4(s: string, from: number, to: number, out: Uint8Array, at: number): boolean {
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let i = from; i <= to; i++) {
    const c = i === to ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[at + part++] = value;
      digits = 0;
      value = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return false; // leading zero
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return false;
    } else return false;
  }
  return part === 4;
}

export function ipv4Bytes(s: string): Uint8Array | undefined {
  if (s.length < 7 || s.length > 15 || !readV4(s, 0, s.length, scratchV4, 0)) return undefined;
  const bytes = slabBytes(4);
  bytes.set(scratchV4);
  return bytes;
}

// Scratch space: parsing is synchronous, so one set serves every call.
const scratchV4 = new Uint8Array(4);
const scratchV6 = new Uint8Array(16);
const head: number[] = [];
const tail: number[] = [];

/** Hex groups of s[from, to) separated by ":" into `groups`; the last may be an IPv4 tail (two groups). */
function readGroups(s: string, from: number, to: number, groups: number[], v4: Uint8Array): boolean {
  if (from === to) return true;
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && s.charCodeAt(i) !== 0x3a) continue;
    const len = i - start;
    if (len === 0 || len > 4) {
      // the last piece may be an IPv4 address
      if (i !== to || !readV4(s, start, to, v4, 0)) return false;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      return true;
    }
    let value = 0;
    for (let j = start; j < i; j++) {
      const c = s.charCodeAt(j) | 0x20; // lowercase letters; digits unchanged
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
      if (d < 0) {
        if (i !== to || !readV4(s, start, to, v4, 0)) return false;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        return true;
      }
      value = (value << 4) | d;
    }
    groups.push(value);
    start = i + 1;
  }
  return true;
}

export function ipv6Bytes(s: string): Uint8Array | undefined {
  if (!ipv6Into(s, scratchV6)) return undefined;
  const bytes = slabBytes(16);
  bytes.set(scratchV6);
  return bytes;
}

/**
 * Writes the 4 (IPv4) or 16 (IPv6) octets of address text `s` into `out` (≥ 16 octets) without
 * allocating; returns 4, 6, or 0 when `s` is neither (same strict forms as ipv4Bytes/ipv6Bytes).
 */
export function addressInto(s: string, out: Uint8Array): 4 | 6 | 0 {
  if (s.length >= 7 && s.length <= 15 && readV4(s, 0, s.length, out, 0)) return 4;
  return ipv6Into(s, out) ? 6 : 0;
}

function ipv6Into(s: string, bytes: Uint8Array): boolean {
  if (s.length < 2 || s.length > 45) return false;
  const gap = s.indexOf("::");
  if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) return false;
  head.length = 0;
  tail.length = 0;
  if (gap < 0) {
    if (!readGroups(s, 0, s.length, head, scratchV4) || head.length !== 8) return false;
  } else {
    // an IPv4 tail may only end the address, never precede the gap
    if (s.lastIndexOf(".", gap) >= 0 || !readGroups(s, 0, gap, head, scratchV4)) return false;
    if (!readGroups(s, gap + 2, s.length, tail, scratchV4) || head.length + tail.length > 7) return false;
  }
  bytes.fill(0, 0, 16);
  head.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  const offset = 8 - tail.length;
  tail.forEach((g, i) => {
    bytes[(offset + i) * 2] = g >> 8;
    bytes[(offset + i) * 2 + 1] = g & 0xff;
  });
  return true;
}
