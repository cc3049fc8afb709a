// The per-query choice of one address of a steered set (steering.ts): weighted random, or weighted
// rendezvous hashing (highest random weight) over the client's network.
//
// Hashed: the client's network is its IPv4 /24 or IPv6 /48 (an IPv4-mapped IPv6 address counts as
// IPv4), taken from the query's EDNS Client Subnet option when it carries a source prefix, else from
// the packet's source address; an address that cannot be read (never from a socket) is network 0.
// Each address gets the score weight / −ln(u), u the FNV-1a hash (with a final avalanche mix) of the
// network's octets and the address's rdata, mapped into (0, 1); the highest score wins (ties: the
// first). So a network keeps its address while that address stays in the set, and removing an address
// moves only the networks that had it, spread over the rest in proportion to their weights. The hash
// is fixed (not seeded): every node and every restart answer a network the same.
//
// Pure, synchronous, no allocation: the network is built in module scratch space.

import { addressInto } from "../wire/address.js";
import type { ClientSubnet } from "../wire/client-subnet.js";
import type { ActiveRule } from "./steering.js";
import type { WireRRSet } from "./types.js";

/** Prefix lengths a network is cut to (and the ECS scope answered). */
export const IPV4_NETWORK_BITS = 24;
export const IPV6_NETWORK_BITS = 48;

/** The network: octet 0 the family (4 or 6, 0 unknown), then the prefix's octets. */
const network = new Uint8Array(1 + 16);
let networkLength = 1;
const address = new Uint8Array(16);

/** Index into `rule.set`'s rdata of a weighted random pick (`random` in [0, 1)). */
export function pickWeighted(rule: ActiveRule, random: () => number): number {
  const weights = rule.weightOf;
  let total = 0;
  for (const w of weights) total += w;
  let r = random() * total;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! <= 0) continue;
    last = i;
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return last; // random() returned 1 or more, or rounding: the last address with weight
}

/** Index into `set.rdata` (the rule's set) chosen for the network last set by `useSubnet`/`useAddress`. */
export function pickHashed(rule: ActiveRule, set: WireRRSet): number {
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < set.rdata.length; i++) {
    const w = rule.weightOf[i] ?? 0;
    if (w <= 0) continue;
    const u = (hash(set.rdata[i]!) + 0.5) / 4294967296;
    const score = w / -Math.log(u);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

/** Sets the network from a valid ECS option with a source prefix (family 1 or 2) in `msg`. */
export function useSubnet(msg: Uint8Array, ecs: ClientSubnet): void {
  address.fill(0);
  address.set(msg.subarray(ecs.addressStart, ecs.optionEnd));
  cut(
    ecs.family === 1 ? 4 : 6,
    Math.min(ecs.sourcePrefix, ecs.family === 1 ? IPV4_NETWORK_BITS : IPV6_NETWORK_BITS),
  );
}

/** Sets the network from the packet's source address text. */
export function useAddress(text: string | undefined): void {
  const family = text === undefined ? 0 : addressInto(text, address);
  if (family === 6 && isV4Mapped(address)) {
    address.copyWithin(0, 12, 16);
    cut(4, IPV4_NETWORK_BITS);
  } else if (family === 0) {
    network[0] = 0;
    networkLength = 1;
  } else cut(family, family === 4 ? IPV4_NETWORK_BITS : IPV6_NETWORK_BITS);
}

function cut(family: 4 | 6, bits: number): void {
  network[0] = family;
  const octets = (bits + 7) >> 3;
  for (let i = 0; i < octets; i++) network[1 + i] = address[i]!;
  if (bits % 8 !== 0) network[octets] = network[octets]! & (0xff << (8 - (bits % 8)));
  // a shorter ECS prefix still fills the family's full network length with zeros, so /16 and /24 of
  // the same network hash alike only when they are the same network
  const full = family === 4 ? IPV4_NETWORK_BITS / 8 : IPV6_NETWORK_BITS / 8;
  for (let i = octets; i < full; i++) network[1 + i] = 0;
  networkLength = 1 + full;
}

function isV4Mapped(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

/** FNV-1a over the network and `rdata`, then murmur3's fmix32 so every bit depends on every input bit. */
function hash(rdata: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < networkLength; i++) h = Math.imul(h ^ network[i]!, 0x01000193);
  for (const b of rdata) h = Math.imul(h ^ b, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
