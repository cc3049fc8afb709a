// Who can reach the agent's status listener, judged from its address alone: this decides whether the
// local page may run without a password (loopback), must answer 403 until one is set (a LAN address),
// or must not start at all without one (a wildcard or public address, or a name we cannot judge).

import ipaddr from "ipaddr.js";
import { parseIp } from "../../core/ip.js";

export type ListenScope =
  /** 127/8, ::1, localhost: only this machine. */
  | "loopback"
  /** RFC 1918, CGNAT, link-local, ULA: the local network. */
  | "private"
  /** 0.0.0.0 or ::: every interface, public ones included. */
  | "wildcard"
  /** A global address, or a host name (it may resolve to anything). */
  | "public";

const PRIVATE_RANGES: ReadonlySet<string> = new Set([
  "private",
  "carrierGradeNat",
  "linkLocal",
  "uniqueLocal",
]);

/** Never throws. `host` is as parsed from status.listen (an IP literal or a name). */
export function listenScope(host: string): ListenScope {
  const lower = host.toLowerCase().replace(/\.$/, "");
  if (lower === "localhost" || lower.endsWith(".localhost")) return "loopback";
  const ip = parseIp(host);
  if (ip === undefined) return "public";
  let addr: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(ip.text);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  const range = addr.range();
  if (range === "loopback") return "loopback";
  if (range === "unspecified") return "wildcard";
  return PRIVATE_RANGES.has(range) ? "private" : "public";
}

/** Wildcard and public listeners need status.password_hash to start. */
export function needsPassword(scope: ListenScope): boolean {
  return scope === "wildcard" || scope === "public";
}
