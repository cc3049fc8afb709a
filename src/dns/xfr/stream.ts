// Packs a zone transfer's records into consecutive response messages (RFC 5936 §2.2): each message
// carries the question and as many whole records as fit under `limit` octets (a record is never split),
// AA set, the same ID. Signing is done afterwards (sign.ts), so `limit` must leave room for a TSIG.

import { FLAG } from "../wire/constants.js";
import type { Query } from "../wire/query.js";
import { ResponseWriter } from "../wire/writer.js";

export interface StreamRecord {
  /** Owner in wire form, uncompressed. */
  readonly owner: Uint8Array;
  readonly type: number;
  readonly ttl: number;
  readonly rdata: Uint8Array;
}

/** Reused: packing is synchronous. */
const writer = new ResponseWriter();

/**
 * The messages of one transfer, or undefined when a single record cannot fit in an empty message
 * (the caller answers SERVFAIL). `msg` is the request the question is copied from.
 */
export function packTransfer(
  msg: Uint8Array,
  q: Query,
  records: Iterable<StreamRecord>,
  limit: number,
): Uint8Array[] | undefined {
  const flags = (q.header.flags & (0x7800 | FLAG.RD | FLAG.CD)) | FLAG.AA;
  const out: Uint8Array[] = [];
  let inMessage = 0;
  const start = (): void => {
    writer.begin(limit, q.edns !== undefined);
    writer.copy(msg, 12, q.questionEnd);
    inMessage = 0;
  };
  start();
  for (const r of records) {
    if (writer.record(0, r.owner, r.type, r.ttl, r.rdata)) {
      inMessage++;
      continue;
    }
    if (inMessage === 0) return undefined;
    out.push(writer.finish(q.header.id, flags, 0, 1, q.edns));
    start();
    if (!writer.record(0, r.owner, r.type, r.ttl, r.rdata)) return undefined;
    inMessage++;
  }
  out.push(writer.finish(q.header.id, flags, 0, 1, q.edns));
  return out;
}

/** A reply with the question only and `rcode` (AA clear), for refusals and errors. */
export function errorReply(msg: Uint8Array, q: Query, rcode: number): Uint8Array {
  writer.begin(65535, q.edns !== undefined);
  writer.copy(msg, 12, q.questionEnd);
  return writer.finish(q.header.id, q.header.flags & (0x7800 | FLAG.RD | FLAG.CD), rcode, 1, q.edns);
}
