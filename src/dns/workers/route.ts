// Which messages a UDP worker answers from its own zone index: plain queries (opcode QUERY, neither
// AXFR nor IXFR, no TSIG record). Everything else (UPDATE, NOTIFY, signed queries, transfers, which
// need the store, the keyring or the journal) is forwarded to the primary. Other opcodes are answered
// locally: the engine says NOTIMP, as the primary would. Reads a few header bytes and walks the
// records once (as the primary's signed-query check does); allocates nothing.

import { firstQuestionType } from "../dispatch.js";
import { OPCODE, TYPE } from "../wire/constants.js";
import { lastRecordType } from "../signed-query.js";

export function answersLocally(msg: Uint8Array): boolean {
  if (msg.length < 3) return true;
  const opcode = (msg[2]! >> 3) & 0x0f;
  if (opcode === OPCODE.UPDATE || opcode === OPCODE.NOTIFY) return false;
  if (opcode !== OPCODE.QUERY) return true;
  const qtype = firstQuestionType(msg);
  if (qtype === TYPE.AXFR || qtype === TYPE.IXFR) return false;
  return lastRecordType(msg) !== TYPE.TSIG;
}
