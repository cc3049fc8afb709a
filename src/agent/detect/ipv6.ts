// IPv6 done right (pure). An interface usually holds several IPv6 addresses: link-local, temporary
// privacy addresses that rotate daily, deprecated ones from a previous prefix, tentative ones still
// in duplicate detection. DNS wants the stable one. And one agent can keep records for other LAN
// devices: the prefix this host sees plus the device's configured host part or its EUI-64 (MAC).

import ipaddr from "ipaddr.js";
import { isGlobalUnicast, parseIp, type ParsedIp } from "../../core/ip.js";
import type { InterfaceAddress } from "../system/types.js";

/** Ranges that are never a routable address of this host, whatever the flags. */
const NOT_SCOPE_GLOBAL = ["fe80::/10", "fec0::/10", "ff00::/8", "::/128", "::1/128", "::ffff:0:0/96"].map(
  (c) => ipaddr.IPv6.parseCIDR(c),
);

function bytesOf(text: string): number[] {
  return ipaddr.IPv6.parse(text).toByteArray();
}

/** Why an IPv6 address of the interface is not a candidate, or undefined when it is one. */
export function ipv6Unusable(
  a: InterfaceAddress,
): "temporary" | "deprecated" | "tentative" | "scope" | undefined {
  if (a.family !== 6 || !ipaddr.IPv6.isValid(a.address)) return "scope";
  const addr = ipaddr.IPv6.parse(a.address);
  if (NOT_SCOPE_GLOBAL.some((range) => addr.match(range))) return "scope";
  if (a.tentative) return "tentative";
  if (a.deprecated) return "deprecated";
  if (a.temporary) return "temporary";
  return undefined;
}

/**
 * The stable address of `iface`: scope global, not temporary, deprecated or tentative. Among several,
 * deterministically (input order does not matter): global unicast before ULA and other non-global
 * space, then the EUI-64 address derived from the interface's MAC, then the numerically lowest.
 */
export function selectStableIpv6(
  addrs: readonly InterfaceAddress[],
  iface: string,
): InterfaceAddress | undefined {
  const candidates = addrs.filter((a) => a.interface === iface && ipv6Unusable(a) === undefined);
  const rank = (a: InterfaceAddress): [number, number, number[]] => {
    const ip = parseIp(a.address)!;
    const eui = a.mac === undefined ? undefined : eui64Suffix(a.mac);
    const isEui = eui !== undefined && sameTail(bytesOf(ip.text), bytesOf(eui), 8);
    return [isGlobalUnicast(ip) ? 0 : 1, isEui ? 0 : 1, bytesOf(ip.text)];
  };
  return candidates
    .map((a) => ({ a, r: rank(a) }))
    .sort((x, y) => x.r[0] - y.r[0] || x.r[1] - y.r[1] || compareBytes(x.r[2], y.r[2]))[0]?.a;
}

/**
 * The first `prefixLength` bits of `prefix` followed by the host part `suffix` (an IPv6 literal such
 * as "::1234" or "::a8bb:ccff:fedd:eeff"). Undefined when prefix is not IPv6, the length is out of
 * range, or the suffix is not IPv6 or has bits set inside the prefix part (a typo, not a host part).
 */
export function withSuffix(prefix: ParsedIp, prefixLength: number, suffix: string): ParsedIp | undefined {
  if (prefix.family !== 6 || !Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 128)
    return undefined;
  if (!ipaddr.IPv6.isValid(suffix.trim()) || suffix.includes("%")) return undefined;
  const p = bytesOf(prefix.text);
  const s = bytesOf(suffix.trim());
  const out: number[] = [];
  for (let i = 0; i < 16; i++) {
    const prefixBits = Math.max(0, Math.min(8, prefixLength - i * 8));
    const mask = (0xff << (8 - prefixBits)) & 0xff;
    if ((s[i]! & mask) !== 0) return undefined;
    out.push((p[i]! & mask) | (s[i]! & ~mask & 0xff));
  }
  return parseIp(ipaddr.fromByteArray(out).toString());
}

/**
 * The modified EUI-64 host part of a MAC (RFC 4291 appendix A): the universal/local bit flipped and
 * ff:fe inserted, as an IPv6 suffix ("aa:bb:cc:dd:ee:ff" → "::a8bb:ccff:fedd:eeff"). Accepts ":" or
 * "-" separators, any case. Undefined when `mac` is not a 48-bit MAC.
 */
export function eui64Suffix(mac: string): string | undefined {
  const m = mac.trim().toLowerCase();
  if (!/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/.test(m)) return undefined;
  const b = m.split(/[:-]/).map((h) => parseInt(h, 16));
  const iid = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  return (ipaddr.fromByteArray([...new Array<number>(8).fill(0), ...iid]) as ipaddr.IPv6).toRFC5952String();
}

function sameTail(a: number[], b: number[], n: number): boolean {
  for (let i = a.length - n; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareBytes(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
