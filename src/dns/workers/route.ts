// Which messages a UDP worker answers from its own zone index: plain queries (opcode QUERY, neither
// AXFR nor IXFR, no TSIG record), except questions at or below the catalog zone (dns.transfer.catalog,
// held by the primary only). Everything else (UPDATE, NOTIFY, signed queries, transfers, which
// need the store, the keyring or the journal) is forwarded to the primary. Other opcodes are answered
// locally: the engine says NOTIMP, as the primary would. Reads a few header bytes and walks the
// records once (as the primary's signed-query check does), and the question's labels when there is
// a catalog; allocates nothing.

import { firstQuestionType } from "../dispatch.js";
import { HEADER_SIZE, OPCODE, TYPE } from "../wire/constants.js";
import { lastRecordType } from "../signed-query.js";

/** `catalog`: the catalog zone's name in wire form (encodeName), when there is one. */
export function answersLocally(msg: Uint8Array, catalog?: Uint8Array): boolean {
  if (msg.length < 3) return true;
  const opcode = (msg[2]! >> 3) & 0x0f;
  if (opcode === OPCODE.UPDATE || opcode === OPCODE.NOTIFY) return false;
  if (opcode !== OPCODE.QUERY) return true;
  const qtype = firstQuestionType(msg);
  if (qtype === TYPE.AXFR || qtype === TYPE.IXFR) return false;
  if (catalog !== undefined && atOrBelow(msg, HEADER_SIZE, catalog)) return false;
  return lastRecordType(msg) !== TYPE.TSIG;
}

/** Whether the uncompressed name at `start` of `msg` is `name` (wire form) or below it, ASCII case ignored. */
function atOrBelow(msg: Uint8Array, start: number, name: Uint8Array): boolean {
  for (let at = start; at < msg.length; at += 1 + msg[at]!) {
    if (msg.length - at >= name.length) {
      let same = true;
      for (let i = 0; i < name.length && same; i++) same = lower(msg[at + i]!) === lower(name[i]!);
      if (same) return true;
    }
    if (msg[at] === 0 || msg[at]! > 63) return false;
  }
  return false;
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}
