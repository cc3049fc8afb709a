// TSIG on plain queries. A secondary configured with a transfer key (BIND `primaries { … key k; }`,
// Knot `remote: key:`) signs its SOA refresh queries too and drops an unsigned answer, so the query
// route must verify and sign like the transfer route does (RFC 8945 §5).
//
// Contract: a message without a TSIG (told by walking its records without allocating) goes straight to
// `answer`, so unsigned queries pay one walk and nothing else. A signed one is verified with the
// keyring: FORMERR → FORMERR; BADKEY/BADSIG → NOTAUTH with an unsigned TSIG error; BADTIME → NOTAUTH
// signed with the server time; ok → `answer`'s reply signed over the request MAC. Never throws.

import type { Keyring } from "./tsig/keyring.js";
import { DEFAULT_FUDGE, appendTsigRecord, signTsig, TSIG_ERROR, verifyTsig } from "./tsig/tsig.js";
import type { Transport } from "./answer/types.js";
import { HEADER_SIZE, RCODE, TYPE } from "./wire/constants.js";
import { parseQuery } from "./wire/query.js";
import { NOTAUTH } from "./xfr/responder.js";
import { errorReply } from "./xfr/stream.js";

type Answer = (
  msg: Uint8Array,
  ctx: { readonly transport: Transport; readonly remoteAddress: string },
) => Uint8Array | undefined;

export interface SignedQueryDeps {
  readonly keyring: Keyring;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

export function signedQueries(answer: Answer, deps: SignedQueryDeps): Answer {
  return (msg, ctx) => {
    if (lastRecordType(msg) !== TYPE.TSIG) return answer(msg, ctx);
    const parsed = parseQuery(msg);
    if (parsed.kind !== "query") return answer(msg, ctx);
    const q = parsed.query;
    const now = Math.floor(deps.clock() / 1000);
    const v = verifyTsig(msg, { findKey: (n) => deps.keyring(n), now, maxFudge: DEFAULT_FUDGE });
    switch (v.status) {
      case "unsigned":
        return answer(msg, ctx);
      case "FORMERR":
        return errorReply(msg, q, RCODE.FORMERR);
      case "BADKEY":
      case "BADSIG":
        return appendTsigRecord(errorReply(msg, q, NOTAUTH), {
          ...v.record,
          mac: new Uint8Array(0),
          error: v.status === "BADKEY" ? TSIG_ERROR.BADKEY : TSIG_ERROR.BADSIG,
          otherData: new Uint8Array(0),
        });
      case "BADTIME": {
        const other = new Uint8Array(6);
        new DataView(other.buffer).setUint16(0, Math.floor(now / 2 ** 32));
        new DataView(other.buffer).setUint32(2, now % 2 ** 32);
        return signTsig(errorReply(msg, q, NOTAUTH), {
          key: v.key,
          timeSigned: v.record.timeSigned,
          requestMac: v.mac,
          error: TSIG_ERROR.BADTIME,
          otherData: other,
        }).message;
      }
      case "ok": {
        const reply = answer(msg, ctx);
        if (reply === undefined) return undefined;
        return signTsig(reply, { key: v.key, timeSigned: now, requestMac: v.mac }).message;
      }
    }
  };
}

/** The type of the message's last record, or -1 (no records, or a walk that does not add up). */
export function lastRecordType(msg: Uint8Array): number {
  if (msg.length < HEADER_SIZE || (msg[10] === 0 && msg[11] === 0)) return -1;
  const count = (i: number) => (msg[i]! << 8) | msg[i + 1]!;
  let off = HEADER_SIZE;
  for (let i = count(4); i > 0; i--) {
    off = skip(msg, off);
    if (off < 0) return -1;
    off += 4;
  }
  let type = -1;
  for (let i = count(6) + count(8) + count(10); i > 0; i--) {
    off = skip(msg, off);
    if (off < 0 || off + 10 > msg.length) return -1;
    type = count(off);
    off += 10 + count(off + 8);
  }
  return off <= msg.length ? type : -1;
}

/** Offset just past the name at `off` (labels, then a zero or one pointer), or -1 past the end. */
function skip(msg: Uint8Array, off: number): number {
  for (let labels = 0; labels < 128 && off < msg.length; labels++) {
    const len = msg[off]!;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2 <= msg.length ? off + 2 : -1;
    off += 1 + len;
  }
  return -1;
}
