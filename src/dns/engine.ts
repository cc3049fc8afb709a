// The authoritative answer logic: a pure function of (query bytes, zone view, transport). No sockets,
// no node:* — transports and the zone index are supplied by the caller. Behaviour follows BIND 9.18
// with `minimal-responses no-auth-recursive`: positive answers carry no authority section, negative
// ones carry the SOA (RFC 2308), qtype ANY gets the RFC 8482 HINFO, names outside our zones REFUSED.

import type { ServedZone, Transport, ZoneView } from "./types.js";
import {
  CLASS,
  CLASSIC_UDP_SIZE,
  FLAG,
  HEADER_SIZE,
  MAX_TCP_MESSAGE,
  OPCODE,
  OUR_UDP_SIZE,
  RCODE,
  TYPE,
} from "./wire/constants.js";
import { encodeName, suffixOffset } from "./wire/name.js";
import { parseQuery, type Header, type Query } from "./wire/query.js";
import { RFC8482_HINFO } from "./wire/rdata.js";
import { ResponseWriter } from "./wire/writer.js";

export interface QueryContext {
  readonly transport: Transport;
}

/** Reused for every response; safe because answering is synchronous. */
const writer = new ResponseWriter();
/**
 * Answer owner names are a pointer to the question name, so their case is the client's (like BIND),
 * and a precomputed answer only needs its ID and question patched.
 */
const QNAME_PTR = HEADER_SIZE;

/** Answers one query; undefined means send nothing (too short to reply to, or not a query). Never throws. */
export function answerQuery(query: Uint8Array, view: ZoneView, ctx: QueryContext): Uint8Array | undefined {
  const parsed = parseQuery(query);
  if (parsed.kind === "drop") return undefined;
  if (parsed.kind === "formerr") {
    const rcode = parsed.header.opcode === OPCODE.QUERY ? RCODE.FORMERR : RCODE.NOTIMP;
    return headerOnly(parsed.header, rcode);
  }
  const q = parsed.query;
  writer.begin(sizeLimit(q, ctx.transport), q.edns !== undefined);
  writer.copy(query, HEADER_SIZE, q.questionEnd);
  if (q.edns !== undefined && q.edns.version > 0) return finish(q, RCODE.BADVERS, false);
  if (q.header.opcode !== OPCODE.QUERY) return finish(q, RCODE.NOTIMP, false);
  switch (q.qtype) {
    case TYPE.OPT:
    case TYPE.TSIG:
    case TYPE.TKEY:
      return finish(q, RCODE.FORMERR, false);
    case TYPE.MAILA:
    case TYPE.MAILB:
      return finish(q, RCODE.NOTIMP, false);
  }
  if (q.qclass !== CLASS.IN && q.qclass !== CLASS.ANY) return finish(q, RCODE.REFUSED, false);
  const zone = view.findZone(q.qname.name);
  if (zone === undefined) return finish(q, RCODE.REFUSED, false);
  // Zone transfers are not served yet (a later xfr module will take these before the engine).
  if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) return finish(q, RCODE.REFUSED, false);
  return answerInZone(query, q, view, zone);
}

function answerInZone(msg: Uint8Array, q: Query, view: ZoneView, zone: ServedZone): Uint8Array {
  const node = view.lookup(zone, q.qname.name);
  if (node === undefined) return negative(msg, q, zone, RCODE.NXDOMAIN);
  const atApex = node.name === zone.name;
  if (q.qtype === TYPE.ANY) {
    if (!writer.record(0, QNAME_PTR, TYPE.HINFO, zone.ttl, RFC8482_HINFO)) return truncated(q, RCODE.NOERROR);
    return finish(q, RCODE.NOERROR, true);
  }
  if (atApex && q.qtype === TYPE.SOA) {
    if (!writer.record(0, QNAME_PTR, TYPE.SOA, zone.ttl, zone.soaRdata)) return truncated(q, RCODE.NOERROR);
    return finish(q, RCODE.NOERROR, true);
  }
  if (atApex && q.qtype === TYPE.NS) {
    for (const rdata of zone.nsRdata) {
      if (!writer.record(0, QNAME_PTR, TYPE.NS, zone.ttl, rdata)) return truncated(q, RCODE.NOERROR);
    }
    addGlue(view, zone);
    return finish(q, RCODE.NOERROR, true);
  }
  const set = node.sets.get(q.qtype);
  if (set === undefined) return negative(msg, q, zone, RCODE.NOERROR);
  for (const rdata of set.rdata) {
    if (!writer.record(0, QNAME_PTR, set.typeCode, set.ttl, rdata)) return truncated(q, RCODE.NOERROR);
  }
  return finish(q, RCODE.NOERROR, true);
}

/**
 * NXDOMAIN or NODATA: the SOA in authority with TTL min(SOA TTL, SOA minimum) (RFC 2308 §5), its
 * owner a pointer to the zone's suffix of the question name.
 */
function negative(msg: Uint8Array, q: Query, zone: ServedZone, rcode: number): Uint8Array {
  const apexPtr = suffixOffset(msg, HEADER_SIZE, q.qname.labelCount, zone.labelCount);
  const ttl = Math.min(zone.ttl, zone.soa.minimum);
  if (!writer.record(1, apexPtr, TYPE.SOA, ttl, zone.soaRdata)) return truncated(q, rcode);
  return finish(q, rcode, true);
}

/** A and AAAA of in-zone nameservers in additional, while they fit (leaving them out is not truncation). */
function addGlue(view: ZoneView, zone: ServedZone): void {
  for (const ns of zone.nameservers) {
    const node = view.lookup(zone, ns);
    if (node === undefined) continue;
    let owner: Uint8Array | undefined;
    for (const type of [TYPE.A, TYPE.AAAA]) {
      const set = node.sets.get(type);
      if (set === undefined) continue;
      owner ??= encodeName(ns);
      const before = writer.position;
      const counts = writer.counts;
      for (const rdata of set.rdata) {
        if (!writer.record(2, owner, type, set.ttl, rdata)) {
          writer.rewind(before, counts);
          return;
        }
      }
    }
  }
}

function sizeLimit(q: Query, transport: Transport): number {
  if (transport === "tcp") return MAX_TCP_MESSAGE;
  if (q.edns === undefined) return CLASSIC_UDP_SIZE;
  return Math.max(CLASSIC_UDP_SIZE, Math.min(q.edns.udpSize, OUR_UDP_SIZE));
}

/** The answer did not fit: keep the question (and OPT), drop every record, set TC. */
function truncated(q: Query, rcode: number): Uint8Array {
  writer.rewind(q.questionEnd, [0, 0, 0]);
  return writer.finish(q.header.id, replyFlags(q.header, true) | FLAG.TC, rcode, 1, q.edns !== undefined);
}

function finish(q: Query, rcode: number, authoritative: boolean): Uint8Array {
  return writer.finish(q.header.id, replyFlags(q.header, authoritative), rcode, 1, q.edns !== undefined);
}

/** FORMERR/NOTIMP for a message whose question could not be read: header only, no OPT. */
function headerOnly(header: Header, rcode: number): Uint8Array {
  writer.begin(MAX_TCP_MESSAGE, false);
  return writer.finish(header.id, replyFlags(header, false), rcode, 0, false);
}

/** Opcode, RD and CD come from the query; AA only for answers from our zones; RA, AD, Z always clear. */
function replyFlags(header: Header, authoritative: boolean): number {
  return (header.flags & (0x7800 | FLAG.RD | FLAG.CD)) | (authoritative ? FLAG.AA : 0);
}
