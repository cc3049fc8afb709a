// IP address rules. Beacon publishes only global unicast addresses unless a caller explicitly allows
// others; every parser here is strict (no octal, no shorthand IPv4, no zone ids).

import ipaddr from "ipaddr.js";
import { BeaconError } from "./errors.js";

export type IpFamily = 4 | 6;

export interface ParsedIp {
  /** Canonical text: dotted quad for v4, RFC 5952 compressed lowercase for v6. */
  readonly text: string;
  readonly family: IpFamily;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses one address strictly; returns undefined when it is not exactly an IPv4 or IPv6 address. */
export function parseIp(input: string): ParsedIp | undefined {
  const s = input.trim();
  if (s.length === 0 || s.length > 45) return undefined;
  if (V4.test(s)) return { text: ipaddr.IPv4.parse(s).toString(), family: 4 };
  if (!s.includes(":") || s.includes("%")) return undefined;
  if (!ipaddr.IPv6.isValid(s)) return undefined;
  const v6 = ipaddr.IPv6.parse(s);
  return { text: v6.toRFC5952String(), family: 6 };
}

/** Parses or throws `invalid_ip`. */
export function requireIp(input: string): ParsedIp {
  const ip = parseIp(input);
  if (ip === undefined) throw new BeaconError("invalid_ip", `"${input.slice(0, 64)}" is not an IP address`);
  return ip;
}

/**
 * True for addresses that may appear in public DNS: not private, CGNAT, loopback, link-local, ULA,
 * documentation, multicast, benchmarking, reserved or unspecified.
 */
export function isGlobalUnicast(ip: ParsedIp): boolean {
  const addr = ipaddr.parse(ip.text);
  if (addr.kind() === "ipv6") {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return false;
    // 2000::/3 is the global unicast space; within it, exclude documentation and special ranges.
    if (!v6.match(ipaddr.IPv6.parseCIDR("2000::/3"))) return false;
    return v6.range() === "unicast";
  }
  return addr.range() === "unicast";
}

/** Strips a `/len` suffix (FRITZ!Box sends an IPv6 prefix as `addr/64`); returns the address part. */
export function stripPrefixLength(input: string): string {
  const slash = input.indexOf("/");
  if (slash < 0) return input;
  const len = input.slice(slash + 1);
  return /^\d{1,3}$/.test(len) ? input.slice(0, slash) : input;
}

/** Normalises a socket address: `::ffff:1.2.3.4` → `1.2.3.4`. Returns undefined if unparsable. */
export function normalizeSocketAddress(input: string | undefined): ParsedIp | undefined {
  if (input === undefined) return undefined;
  const s = input.toLowerCase().startsWith("::ffff:") && input.includes(".") ? input.slice(7) : input;
  return parseIp(s);
}

/** True when `ip` lies in `cidr` (e.g. "10.0.0.0/8", "::1/128"). */
export function inCidr(ip: ParsedIp, cidr: string): boolean {
  try {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    const addr = ipaddr.parse(ip.text);
    if (addr.kind() !== range.kind()) return false;
    return addr.match(range, bits);
  } catch {
    return false;
  }
}

/**
 * A membership test for a fixed list of CIDRs, parsed once (inCidr parses on every call); entries that
 * are not CIDRs never match.
 */
export function cidrMatcher(cidrs: readonly string[]): (ip: ParsedIp) => boolean {
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const c of cidrs) {
    try {
      ranges.push(ipaddr.parseCIDR(c));
    } catch {
      // not a CIDR: matches nothing
    }
  }
  if (ranges.length === 0) return () => false;
  return (ip) => {
    const addr = ipaddr.parse(ip.text);
    return ranges.some(([range, bits]) => addr.kind() === range.kind() && addr.match(range, bits));
  };
}

/** Validates a CIDR string; returns its canonical form or undefined. */
export function parseCidr(input: string): string | undefined {
  try {
    const [range, bits] = ipaddr.parseCIDR(
      input.includes("/") ? input : `${input}/${input.includes(":") ? 128 : 32}`,
    );
    return `${range.toString()}/${bits}`;
  } catch {
    return undefined;
  }
}
