// Routes one DNS message to the part of the server that owns it, by opcode and (for zone transfers)
// question type: queries to the engine, UPDATE (RFC 2136) and NOTIFY to their handlers, AXFR/IXFR
// to the transfer handler. Unowned routes fall through to the query handler, which answers NOTIMP
// (or, for transfers, what the engine says). Looks at a few header bytes only: the query hot path
// pays one label walk, no allocation.

import { OPCODE, TYPE } from "./wire/constants.js";
import type { DnsHandler } from "./answer/types.js";

export interface DnsRoutes {
  readonly query: DnsHandler;
  readonly update?: DnsHandler | undefined;
  readonly notify?: DnsHandler | undefined;
  /** AXFR and IXFR (opcode QUERY). */
  readonly transfer?: DnsHandler | undefined;
}

const HEADER_SIZE = 12;

/** The QTYPE of the first question, or -1 when the message has none or it cannot be walked. */
export function firstQuestionType(msg: Uint8Array): number {
  if (msg.length < HEADER_SIZE + 5 || ((msg[4] ?? 0) << 8) + (msg[5] ?? 0) === 0) return -1;
  let at = HEADER_SIZE;
  for (let labels = 0; labels < 128; labels++) {
    const len = msg[at];
    if (len === undefined || (len & 0xc0) !== 0) return -1;
    at += len + 1;
    if (len === 0) return at + 1 < msg.length ? ((msg[at] ?? 0) << 8) + (msg[at + 1] ?? 0) : -1;
  }
  return -1;
}

export function dispatch(routes: DnsRoutes): DnsHandler {
  const { query, update, notify, transfer } = routes;
  return (msg, ctx) => {
    const opcode = msg.length > 2 ? ((msg[2] ?? 0) >> 3) & 0x0f : -1;
    if (opcode === OPCODE.QUERY) {
      if (transfer !== undefined) {
        const qtype = firstQuestionType(msg);
        if (qtype === TYPE.AXFR || qtype === TYPE.IXFR) return transfer(msg, ctx);
      }
      return query(msg, ctx);
    }
    if (opcode === OPCODE.UPDATE && update !== undefined) return update(msg, ctx);
    if (opcode === OPCODE.NOTIFY && notify !== undefined) return notify(msg, ctx);
    return query(msg, ctx);
  };
}
