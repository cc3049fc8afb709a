// The read side of the zone index that the DNS engine answers from, and the handler type the
// transports call. Names passed in are canonical (lowercase, no trailing dot, "" for the root).

import type { RRSet } from "../../core/records.js";
import type { Soa } from "../../core/soa.js";

/** A record set as served: the domain view plus its rdata already in wire form (one entry per value). */
export interface WireRRSet extends RRSet {
  readonly typeCode: number;
  readonly rdata: readonly Uint8Array[];
}

/**
 * A name that exists in a zone: the apex, a host with at least one record set, or an empty
 * non-terminal (RFC 8020: a name with such a host below it), which has no sets. A host without
 * records is no node at all (NXDOMAIN), as in the zone's AXFR.
 */
export interface ServedNode {
  readonly name: string;
  /**
   * Changes (to a value never used before by this index) whenever `sets` change or the node stops
   * existing, so an answer computed from this node is current while the version is the same.
   */
  readonly version: number;
  /** Keyed by numeric RR type (1 = A, 28 = AAAA, 16 = TXT). */
  readonly sets: ReadonlyMap<number, WireRRSet>;
}

/** A zone as served. SOA and NS at the apex come from here, not from `ServedNode.sets`. */
export interface ServedZone {
  readonly name: string;
  /**
   * Changes (to a value never used before by this index) whenever an answer from this zone may change
   * other than through one node's own sets: SOA, serial, NS, TTL, or a name appearing or disappearing.
   */
  readonly stamp: number;
  readonly labelCount: number;
  readonly serial: number;
  /** TTL of the SOA and NS records and of the RFC 8482 HINFO answer. */
  readonly ttl: number;
  readonly soa: Soa;
  readonly nameservers: readonly string[];
  /** SOA rdata with the current serial. */
  readonly soaRdata: Uint8Array;
  /** One NS rdata per nameserver, in `nameservers` order. */
  readonly nsRdata: readonly Uint8Array[];
}

export interface ZoneView {
  /** Changes whenever a zone is added or removed or everything is reloaded (which zone owns a name). */
  readonly zonesVersion: number;
  /** The zone with the longest name that is `name` or an ancestor of it; O(labels). */
  findZone(name: string): ServedZone | undefined;
  /**
   * The node at `name` (at or below `zone`), or undefined when the name does not exist (NXDOMAIN):
   * see ServedNode for which names exist. The apex always exists. O(1).
   */
  lookup(zone: ServedZone, name: string): ServedNode | undefined;
}

export type Transport = "udp" | "tcp";

/**
 * What a handler answers: one message, several (a zone transfer over TCP, sent in order; UDP sends only
 * the first), or nothing.
 */
export type DnsReply = Uint8Array | readonly Uint8Array[] | undefined;

/**
 * Answers one DNS message. Queries answer synchronously (the hot path allocates no promise); work that
 * must wait for the store (UPDATE, transfers) returns a promise, and a TCP connection then reads its
 * next message only after that reply is written. Must not throw or reject (transports log if it does).
 */
export type DnsHandler = (msg: Uint8Array, ctx: DnsContext) => DnsReply | Promise<DnsReply>;

/** Where a message came from. */
export interface DnsContext {
  readonly transport: Transport;
  readonly remoteAddress: string;
}
