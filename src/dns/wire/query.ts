// Query parsing for the hot path: header, the single question and the OPT record (EDNS0), read
// straight from the bytes. Never throws: every input yields "drop", "formerr" or a parsed query.

import { CLASSIC_UDP_SIZE, FLAG, HEADER_SIZE, TYPE } from "./constants.js";
import { readQuestionName, skipName, type QuestionName } from "./name.js";
import { fail, ok, type Parsed } from "./result.js";

export interface Header {
  readonly id: number;
  /** The raw 16-bit flags word. */
  readonly flags: number;
  readonly opcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
}

export interface Edns {
  /** Advertised UDP payload size, raised to 512 when lower (RFC 6891 §6.2.5). */
  readonly udpSize: number;
  readonly version: number;
  readonly dnssecOk: boolean;
  /** The OPT's rdata (its options, already checked well formed) is bytes [optionsStart, optionsEnd). */
  readonly optionsStart: number;
  readonly optionsEnd: number;
}

export interface Query {
  readonly header: Header;
  readonly qname: QuestionName;
  readonly qtype: number;
  readonly qclass: number;
  /** The question occupies bytes [12, questionEnd) of the message, exactly as the client sent them. */
  readonly questionEnd: number;
  readonly edns: Edns | undefined;
}

export type QueryParse =
  /** No reply at all: too short to carry an ID, or a response (QR=1) that must not be answered. */
  | { readonly kind: "drop"; readonly reason: string }
  /**
   * Malformed: reply FORMERR echoing the header's ID and opcode. `anyOpcode`: malformed whatever the
   * opcode (a misplaced TSIG, RFC 8945 §5.1), so FORMERR even for an opcode the server does not implement.
   */
  | { readonly kind: "formerr"; readonly reason: string; readonly header: Header; readonly anyOpcode?: true }
  | { readonly kind: "query"; readonly query: Query };

/** Reads the 12-byte header, or undefined when the message is shorter. */
export function readHeader(msg: Uint8Array): Header | undefined {
  if (msg.length < HEADER_SIZE) return undefined;
  const flags = (msg[2]! << 8) | msg[3]!;
  return {
    id: (msg[0]! << 8) | msg[1]!,
    flags,
    opcode: (flags >> 11) & 0x0f,
    qdcount: (msg[4]! << 8) | msg[5]!,
    ancount: (msg[6]! << 8) | msg[7]!,
    nscount: (msg[8]! << 8) | msg[9]!,
    arcount: (msg[10]! << 8) | msg[11]!,
  };
}

/**
 * Parses a query. Rules: fewer than 12 bytes or QR=1 → drop; qdcount ≠ 1, a malformed or compressed
 * question name, truncated records, rdlength past the end, compression loops, a second OPT or an OPT
 * not owned by the root, a TSIG that is not the last record of the additional section (RFC 8945 §5.1;
 * so also a second TSIG) → formerr. Trailing bytes after the last counted record are ignored.
 */
export function parseQuery(msg: Uint8Array): QueryParse {
  const header = readHeader(msg);
  if (header === undefined) return { kind: "drop", reason: "shorter than a header" };
  if ((header.flags & FLAG.QR) !== 0) return { kind: "drop", reason: "message is a response" };
  if (header.qdcount !== 1) return { kind: "formerr", reason: `qdcount ${header.qdcount}`, header };
  const qname = readQuestionName(msg, HEADER_SIZE);
  if (!qname.ok) return { kind: "formerr", reason: qname.reason, header };
  const q = qname.value.end;
  if (q + 4 > msg.length) return { kind: "formerr", reason: "truncated question", header };
  const qtype = (msg[q]! << 8) | msg[q + 1]!;
  const qclass = (msg[q + 2]! << 8) | msg[q + 3]!;
  const questionEnd = q + 4;
  const rest = readRecords(msg, questionEnd, header);
  if (!rest.ok) {
    if (rest.reason !== TSIG_NOT_LAST) return { kind: "formerr", reason: rest.reason, header };
    return { kind: "formerr", reason: rest.reason, header, anyOpcode: true };
  }
  return {
    kind: "query",
    query: { header, qname: qname.value, qtype, qclass, questionEnd, edns: rest.value },
  };
}

const TSIG_NOT_LAST = "TSIG is not the last additional record";

/** Walks the answer, authority and additional sections; returns the OPT found in additional, if any. */
function readRecords(msg: Uint8Array, start: number, header: Header): Parsed<Edns | undefined> {
  let off = start;
  let edns: Edns | undefined;
  const total = header.ancount + header.nscount + header.arcount;
  const firstAdditional = header.ancount + header.nscount;
  for (let i = 0; i < total; i++) {
    const owner = skipName(msg, off);
    if (!owner.ok) return fail(owner.reason);
    off = owner.value.end;
    if (off + 10 > msg.length) return fail("truncated resource record");
    const type = (msg[off]! << 8) | msg[off + 1]!;
    const klass = (msg[off + 2]! << 8) | msg[off + 3]!;
    const rdlength = (msg[off + 8]! << 8) | msg[off + 9]!;
    const rdata = off + 10;
    if (rdata + rdlength > msg.length) return fail("rdlength beyond the end of the message");
    if (type === TYPE.TSIG && (i !== total - 1 || i < firstAdditional)) return fail(TSIG_NOT_LAST);
    if (type === TYPE.OPT) {
      if (i < firstAdditional) return fail("OPT outside the additional section");
      if (edns !== undefined) return fail("more than one OPT record");
      if (!owner.value.isRoot) return fail("OPT owner is not the root");
      if (!optionsWellFormed(msg, rdata, rdata + rdlength)) return fail("malformed EDNS option");
      edns = {
        udpSize: Math.max(klass, CLASSIC_UDP_SIZE),
        version: msg[off + 5]!,
        dnssecOk: (msg[off + 6]! & 0x80) !== 0,
        optionsStart: rdata,
        optionsEnd: rdata + rdlength,
      };
    }
    off = rdata + rdlength;
  }
  return ok(edns);
}

/** Each EDNS option is code(2) length(2) data(length), exactly filling the rdata. */
function optionsWellFormed(msg: Uint8Array, start: number, end: number): boolean {
  let off = start;
  while (off < end) {
    if (off + 4 > end) return false;
    off += 4 + ((msg[off + 2]! << 8) | msg[off + 3]!);
  }
  return off === end;
}
