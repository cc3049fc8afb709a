// Who is calling. The socket address is the truth; X-Forwarded-For is believed only when the socket
// peer is a configured trusted proxy, and then only up to the first hop that is not itself trusted.

import { BeaconError } from "../core/errors.js";
import { inCidr, normalizeSocketAddress, parseCidr, type ParsedIp } from "../core/ip.js";

/** Canonicalises the trusted-proxy list; throws config_invalid naming the bad entry. */
export function parseTrustedProxies(list: readonly string[]): string[] {
  return list.map((entry) => {
    const cidr = parseCidr(entry.trim());
    if (cidr === undefined)
      throw new BeaconError("config_invalid", `trusted proxy "${entry}" is not an address or CIDR`);
    return cidr;
  });
}

/**
 * The client address. Walks X-Forwarded-For right to left while each hop is a trusted proxy; the first
 * untrusted hop is the client. An unparsable hop stops the walk at the nearest trusted address, so a
 * forged or garbled header can never move the answer further than the proxies we trust.
 */
export function resolveClientIp(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trusted: readonly string[],
): ParsedIp | undefined {
  const peer = normalizeSocketAddress(socketAddress);
  if (peer === undefined) return undefined;
  const isTrusted = (ip: ParsedIp) => trusted.some((c) => inCidr(ip, c));
  if (!isTrusted(peer) || forwardedFor === undefined) return peer;
  let current = peer;
  const hops = forwardedFor.split(",").slice(-32);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeSocketAddress((hops[i] ?? "").trim());
    if (hop === undefined) return current;
    current = hop;
    if (!isTrusted(hop)) return hop;
  }
  return current;
}
