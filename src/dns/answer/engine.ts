// The authoritative answer logic: a pure function of (query bytes, zone view, transport). No sockets,
// no node:* — transports and the zone index are supplied by the caller. Behaviour follows BIND 9.18
// with `minimal-responses no-auth-recursive`: positive answers carry no authority section, negative
// ones carry the SOA (RFC 2308), qtype ANY gets the RFC 8482 HINFO, names outside our zones REFUSED,
// classes other than IN as BIND answers them (classRcode). A name and type with a steering rule
// (steering.ts) is answered with one address of its set, chosen per query (steered()).

import type { ServedZone, Transport, WireRRSet, ZoneView } from "./types.js";
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
} from "../wire/constants.js";
import { encodeName, suffixOffset } from "../wire/name.js";
import { parseQuery, type Header, type Query } from "../wire/query.js";
import { RFC8482_HINFO } from "../wire/rdata.js";
import { readClientSubnet } from "../wire/client-subnet.js";
import { ResponseWriter } from "../wire/writer.js";
import type { ActiveRule, AnswerSteering } from "./steering.js";
import {
  IPV4_NETWORK_BITS,
  IPV6_NETWORK_BITS,
  pickHashed,
  pickWeighted,
  useAddress,
  useSubnet,
} from "./steering-pick.js";

export interface QueryContext {
  readonly transport: Transport;
  /** The packet's source address: what "hashed" steering uses when the query carries no ECS. */
  readonly remoteAddress?: string;
}

/** Reused for every response; safe because answering is synchronous. */
const writer = new ResponseWriter();
/**
 * Answer owner names are a pointer to the question name when the client asked in the zone data's case
 * (canonical lowercase), so a precomputed answer only needs its ID and question patched. A question in
 * another case gets owners in the data's case, as BIND 9.18 answers (test/e2e/differential.test.ts):
 * the canonical name written once, later owners pointing at it.
 */
const QNAME_PTR = HEADER_SIZE;
/** Owner for the answer being written: QNAME_PTR, the canonical name (first record), or a pointer to it. */
let answerOwner: number | Uint8Array = QNAME_PTR;

/** True when the question name (from HEADER_SIZE up to `end`) has an ASCII uppercase letter. */
function hasUpper(msg: Uint8Array, end: number): boolean {
  // length octets are ≤ 63, below "A" (0x41), so only label characters can match
  for (let i = HEADER_SIZE; i < end; i++) if (msg[i]! >= 0x41 && msg[i]! <= 0x5a) return true;
  return false;
}

/** Adds an answer record owned by the question's name (see QNAME_PTR). */
function answer(type: number, ttl: number, rdata: Uint8Array): boolean {
  const at = writer.position;
  if (!writer.record(0, answerOwner, type, ttl, rdata)) return false;
  if (typeof answerOwner !== "number") answerOwner = at;
  return true;
}

/** Answers one query; undefined means send nothing (too short to reply to, or not a query). Never throws. */
export function answerQuery(
  query: Uint8Array,
  view: ZoneView,
  ctx: QueryContext,
  steering?: AnswerSteering,
): Uint8Array | undefined {
  const parsed = parseQuery(query);
  if (parsed.kind === "drop") return undefined;
  if (parsed.kind === "formerr") {
    const formerr = parsed.header.opcode === OPCODE.QUERY || parsed.anyOpcode === true;
    const rcode = formerr ? RCODE.FORMERR : RCODE.NOTIMP;
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
  if (q.qclass !== CLASS.IN) return finish(q, classRcode(q.qclass), false);
  const zone = view.findZone(q.qname.name);
  if (zone === undefined) return finish(q, RCODE.REFUSED, false);
  // Transfers are served by xfr/responder.ts, which dispatch.ts routes them to before the engine;
  // one that reaches the engine anyway is refused.
  if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) return finish(q, RCODE.REFUSED, false);
  return answerInZone(query, q, view, zone, ctx, steering);
}

function answerInZone(
  msg: Uint8Array,
  q: Query,
  view: ZoneView,
  zone: ServedZone,
  ctx: QueryContext,
  steering: AnswerSteering | undefined,
): Uint8Array {
  answerOwner = hasUpper(msg, q.questionEnd - 4) ? encodeName(q.qname.name) : QNAME_PTR;
  const node = view.lookup(zone, q.qname.name);
  if (node === undefined) return negative(msg, q, zone, RCODE.NXDOMAIN);
  const atApex = node.name === zone.name;
  if (q.qtype === TYPE.ANY) {
    if (!answer(TYPE.HINFO, zone.ttl, RFC8482_HINFO)) return truncated(q, RCODE.NOERROR);
    return finish(q, RCODE.NOERROR, true);
  }
  if (atApex && q.qtype === TYPE.SOA) {
    if (!answer(TYPE.SOA, zone.ttl, zone.soaRdata)) return truncated(q, RCODE.NOERROR);
    return finish(q, RCODE.NOERROR, true);
  }
  if (atApex && q.qtype === TYPE.NS) {
    for (const rdata of zone.nsRdata) {
      if (!answer(TYPE.NS, zone.ttl, rdata)) return truncated(q, RCODE.NOERROR);
    }
    addGlue(view, zone);
    return finish(q, RCODE.NOERROR, true);
  }
  const set = node.sets.get(q.qtype);
  if (set === undefined) return negative(msg, q, zone, RCODE.NOERROR);
  if (steering !== undefined && steering.size > 0) {
    const rule = steering.rule(node.name, q.qtype, set);
    if (rule !== undefined) return steered(msg, q, set, rule, ctx, steering.random);
  }
  for (const rdata of set.rdata) {
    if (!answer(set.typeCode, set.ttl, rdata)) return truncated(q, RCODE.NOERROR);
  }
  return finish(q, RCODE.NOERROR, true);
}

/**
 * One address of `set`, chosen by `rule`. "hashed" reads the client's network from the query's ECS
 * option when it has a source prefix (and echoes the option with scope /24 or /48, RFC 7871 §7.2.1,
 * so resolvers cache the answer per network), else from the packet's source (an ECS with source 0 is
 * echoed with scope 0). A malformed ECS option is FORMERR (RFC 7871 §7.2.1; BIND does the same).
 */
function steered(
  msg: Uint8Array,
  q: Query,
  set: WireRRSet,
  rule: ActiveRule,
  ctx: QueryContext,
  random: () => number,
): Uint8Array {
  let echo: Uint8Array | undefined;
  let pick: number;
  if (rule.mode === "weighted") pick = pickWeighted(rule, random);
  else {
    const ecs = q.edns && readClientSubnet(msg, q.edns.optionsStart, q.edns.optionsEnd);
    if (ecs === "malformed") return finish(q, RCODE.FORMERR, false);
    if (ecs !== undefined && ecs.sourcePrefix > 0) useSubnet(msg, ecs);
    else useAddress(ctx.remoteAddress);
    if (ecs !== undefined) {
      echo = msg.slice(ecs.optionStart, ecs.optionEnd);
      const scope = ecs.sourcePrefix === 0 ? 0 : ecs.family === 1 ? IPV4_NETWORK_BITS : IPV6_NETWORK_BITS;
      echo[7] = scope;
      if (!writer.reserve(echo.length)) return truncated(q, RCODE.NOERROR);
    }
    pick = pickHashed(rule, set);
  }
  if (!answer(set.typeCode, set.ttl, set.rdata[pick]!)) return truncated(q, RCODE.NOERROR);
  return writer.finish(q.header.id, replyFlags(q.header, true), RCODE.NOERROR, 1, q.edns, echo);
}

/**
 * NXDOMAIN or NODATA: the SOA in authority with TTL min(SOA TTL, SOA minimum) (RFC 2308 §5), its
 * owner a pointer to the zone's suffix of the question name, or the zone's name in the data's case
 * when the question used another (see QNAME_PTR).
 */
function negative(msg: Uint8Array, q: Query, zone: ServedZone, rcode: number): Uint8Array {
  const apexPtr =
    typeof answerOwner === "number"
      ? suffixOffset(msg, HEADER_SIZE, q.qname.labelCount, zone.labelCount)
      : encodeName(zone.name);
  // BIND's zero-no-soa-ttl: an NXDOMAIN to an SOA query carries the SOA with TTL 0
  const ttl = rcode === RCODE.NXDOMAIN && q.qtype === TYPE.SOA ? 0 : Math.min(zone.ttl, zone.soa.minimum);
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

/**
 * The rcode for a question of a class we do not serve, as BIND 9.18 answers it (checked by
 * test/e2e/differential.test.ts): the meta-classes ANY and NONE (and 0) → FORMERR (RFC 6895 §3.2:
 * they belong in updates, and no server can answer authoritatively for every class); the other
 * defined data classes, CHAOS and Hesiod → REFUSED; any other class → NOTIMP.
 */
function classRcode(qclass: number): number {
  if (qclass === CLASS.ANY || qclass === CLASS.NONE || qclass === 0) return RCODE.FORMERR;
  return qclass === CLASS.CH || qclass === CLASS.HS ? RCODE.REFUSED : RCODE.NOTIMP;
}

function sizeLimit(q: Query, transport: Transport): number {
  if (transport === "tcp") return MAX_TCP_MESSAGE;
  if (q.edns === undefined) return CLASSIC_UDP_SIZE;
  return Math.max(CLASSIC_UDP_SIZE, Math.min(q.edns.udpSize, OUR_UDP_SIZE));
}

/** The answer did not fit: keep the question (and OPT), drop every record, set TC. */
function truncated(q: Query, rcode: number): Uint8Array {
  writer.rewind(q.questionEnd, [0, 0, 0]);
  return writer.finish(q.header.id, replyFlags(q.header, true) | FLAG.TC, rcode, 1, q.edns);
}

function finish(q: Query, rcode: number, authoritative: boolean): Uint8Array {
  return writer.finish(q.header.id, replyFlags(q.header, authoritative), rcode, 1, q.edns);
}

/** FORMERR/NOTIMP for a message whose question could not be read: header only, no OPT. */
function headerOnly(header: Header, rcode: number): Uint8Array {
  writer.begin(MAX_TCP_MESSAGE, false);
  return writer.finish(header.id, replyFlags(header, false), rcode, 0, undefined);
}

/** Opcode, RD and CD come from the query; AA only for answers from our zones; RA, AD, Z always clear. */
function replyFlags(header: Header, authoritative: boolean): number {
  return (header.flags & (0x7800 | FLAG.RD | FLAG.CD)) | (authoritative ? FLAG.AA : 0);
}
