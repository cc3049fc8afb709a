// A client's network: its address cut to a prefix length (IPv4 /24, IPv6 /56 by default). Response-rate
// limiting and the TCP connection table count by network rather than by address, so one network (an
// IPv6 /64 holds 2^64 addresses) cannot multiply its share by using many addresses.

import ipaddr from "ipaddr.js";

export interface NetworkOptions {
  readonly ipv4PrefixLength: number;
  readonly ipv6PrefixLength: number;
  /** Addresses or CIDRs that belong to no network (→ undefined); unparsable entries are ignored. */
  readonly exempt?: readonly string[];
}

/**
 * The network of a socket address as text ("4:192.0.2.0", "6:32.1.13.184.0…"), or undefined when
 * the address is exempt or not an IP address. IPv4-mapped IPv6 addresses count as IPv4.
 */
export type NetworkOf = (address: string) => string | undefined;

/** Parsing is the costliest step and clients repeat: each address's network is remembered, up to this many. */
const MEMO_SIZE = 65_536;

export function createNetworkOf(opts: NetworkOptions): NetworkOf {
  const exempt = (opts.exempt ?? []).flatMap((c) => {
    try {
      return [ipaddr.parseCIDR(c.includes("/") ? c : `${c}/${c.includes(":") ? 128 : 32}`)];
    } catch {
      return [];
    }
  });
  // null = exempt or unparsable; the memo is forgotten whole when it grows past its bound
  const memo = new Map<string, string | null>();
  return (address) => {
    let network = memo.get(address);
    if (network === undefined) {
      if (memo.size >= MEMO_SIZE) memo.clear();
      network = networkOf(address, opts, exempt) ?? null;
      memo.set(address, network);
    }
    return network ?? undefined;
  };
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function networkOf(address: string, opts: NetworkOptions, exempt: readonly Cidr[]): string | undefined {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(address);
  } catch {
    return undefined;
  }
  for (const [range, bits] of exempt) {
    if (addr.kind() === range.kind() && addr.match(range, bits)) return undefined;
  }
  const bytes = addr.toByteArray();
  let bits = addr.kind() === "ipv4" ? opts.ipv4PrefixLength : opts.ipv6PrefixLength;
  for (let i = 0; i < bytes.length; i++, bits -= 8) {
    if (bits <= 0) bytes[i] = 0;
    else if (bits < 8) bytes[i] = bytes[i]! & (0xff << (8 - bits));
  }
  return `${addr.kind() === "ipv4" ? 4 : 6}:${bytes.join(".")}`;
}
