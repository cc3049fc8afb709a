// TSIG (RFC 8945): HMAC signatures over whole DNS messages, for the RFC 2136 provider (sign requests,
// verify replies) and for Beacon's own server (verify requests, sign replies and multi-message
// AXFR/IXFR streams). Pure: bytes in, bytes out; the caller supplies the time and the keys.
//
// Contract:
// - The digest uses canonical names (lowercase, uncompressed), the message as it was before the TSIG
//   record was added (ARCOUNT one less, ID = Original ID), then the TSIG variables (RFC 8945 §4.3.3)
//   — or, for the second and later messages of a stream, only the timers (§5.3.1), with the prior
//   MAC in front instead of the request MAC.
// - verifyTsig never throws on hostile input. It checks in the RFC's order: format (TSIG last and
//   alone, well-formed, MAC size between max(10, half the hash) and the hash length → FORMERR), key
//   name and algorithm (BADKEY), MAC (BADSIG, compared in constant time), time (BADTIME: outside the
//   message's fudge, capped by `maxFudge`). The parsed record comes back with every verdict after
//   parsing, so a client can read the Error field of a server's unsigned BADKEY/BADSIG reply.

import { createHmac, timingSafeEqual } from "node:crypto";
import { CLASS, TYPE } from "../wire/constants.js";
import { concatBytes, readMessage, readWireName, toWireName, wireNameText } from "../wire/records.js";

export type TsigAlgorithm =
  "hmac-md5" | "hmac-sha1" | "hmac-sha224" | "hmac-sha256" | "hmac-sha384" | "hmac-sha512";

const ALGORITHMS: Record<TsigAlgorithm, { wireName: string; hash: string; size: number }> = {
  "hmac-md5": { wireName: "hmac-md5.sig-alg.reg.int", hash: "md5", size: 16 },
  "hmac-sha1": { wireName: "hmac-sha1", hash: "sha1", size: 20 },
  "hmac-sha224": { wireName: "hmac-sha224", hash: "sha224", size: 28 },
  "hmac-sha256": { wireName: "hmac-sha256", hash: "sha256", size: 32 },
  "hmac-sha384": { wireName: "hmac-sha384", hash: "sha384", size: 48 },
  "hmac-sha512": { wireName: "hmac-sha512", hash: "sha512", size: 64 },
};

export const TSIG_ALGORITHMS = Object.keys(ALGORITHMS) as readonly TsigAlgorithm[];

/** TSIG Error field values (RFC 8945 §3; BADSIG/BADKEY/BADTIME travel with rcode NOTAUTH). */
export const TSIG_ERROR = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;

export const DEFAULT_FUDGE = 300;

export interface TsigKey {
  /** Canonical text: lowercase, no trailing dot. */
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly secret: Uint8Array;
}

/** A TSIG record as read from (or written to) a message. */
export interface TsigRecord {
  readonly keyName: Uint8Array;
  readonly algorithmName: Uint8Array;
  /** Seconds since the epoch (48 bits). */
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Uint8Array;
  readonly originalId: number;
  readonly error: number;
  readonly otherData: Uint8Array;
}

export interface SignOptions {
  readonly key: TsigKey;
  /** Seconds since the epoch. */
  readonly timeSigned: number;
  readonly fudge?: number;
  /** A response: the request's MAC as received. A later message of a stream: the prior message's MAC. */
  readonly requestMac?: Uint8Array;
  /** Second and later messages of a multi-message response: digest only the timers. */
  readonly timersOnly?: boolean;
  readonly error?: number;
  /** BADTIME replies carry the server's time here (6 octets). */
  readonly otherData?: Uint8Array;
  /** Defaults to the message's ID. */
  readonly originalId?: number;
}

/** Signs `message` (which holds no TSIG yet): the message with the TSIG record appended, and its MAC. */
export function signTsig(message: Uint8Array, opts: SignOptions): { message: Uint8Array; mac: Uint8Array } {
  const alg = ALGORITHMS[opts.key.algorithm];
  const keyName = toWireName(opts.key.name);
  if (keyName === undefined) throw new RangeError(`TSIG key name "${opts.key.name}" is not a domain name`);
  const rec: TsigRecord = {
    keyName,
    algorithmName: toWireName(alg.wireName)!,
    timeSigned: opts.timeSigned,
    fudge: opts.fudge ?? DEFAULT_FUDGE,
    mac: new Uint8Array(0),
    originalId: opts.originalId ?? (message[0]! << 8) | message[1]!,
    error: opts.error ?? 0,
    otherData: opts.otherData ?? new Uint8Array(0),
  };
  const mac = computeMac(alg.hash, opts.key.secret, message, rec, opts.requestMac, opts.timersOnly === true);
  return { message: appendTsigRecord(message, { ...rec, mac }), mac };
}

/**
 * Appends a TSIG record as given and counts it in ARCOUNT. For unsigned error replies (BADKEY,
 * BADSIG: an empty MAC, RFC 8945 §5.3.2) and for signTsig.
 */
export function appendTsigRecord(message: Uint8Array, rec: TsigRecord): Uint8Array {
  const rdata = concatBytes(
    rec.algorithmName,
    u48(rec.timeSigned),
    u16(rec.fudge),
    u16(rec.mac.length),
    rec.mac,
    u16(rec.originalId),
    u16(rec.error),
    u16(rec.otherData.length),
    rec.otherData,
  );
  const out = concatBytes(
    message,
    rec.keyName,
    u16(TYPE.TSIG),
    u16(CLASS.ANY),
    u32(0),
    u16(rdata.length),
    rdata,
  );
  const arcount = ((out[10]! << 8) | out[11]!) + 1;
  out[10] = arcount >> 8;
  out[11] = arcount & 0xff;
  return out;
}

export interface VerifyOptions {
  /** The key for a (canonical, text) key name, or undefined when there is none by that name. */
  readonly findKey: (name: string) => TsigKey | undefined;
  /** Seconds since the epoch. */
  readonly now: number;
  /** A response: the MAC of our request. A later message of a stream: the prior MAC. */
  readonly requestMac?: Uint8Array;
  readonly timersOnly?: boolean;
  /** The most fudge honoured, whatever the message says (default: the message's own). */
  readonly maxFudge?: number;
}

export type TsigVerdict =
  | { readonly status: "unsigned" }
  | { readonly status: "FORMERR"; readonly reason: string; readonly record?: TsigRecord }
  | { readonly status: "BADKEY"; readonly record: TsigRecord }
  | { readonly status: "BADSIG"; readonly record: TsigRecord; readonly key: TsigKey }
  /** The MAC was right but the time is not: a server signs its BADTIME reply with `mac`. */
  | {
      readonly status: "BADTIME";
      readonly record: TsigRecord;
      readonly key: TsigKey;
      readonly mac: Uint8Array;
    }
  | { readonly status: "ok"; readonly record: TsigRecord; readonly key: TsigKey; readonly mac: Uint8Array };

export function verifyTsig(message: Uint8Array, opts: VerifyOptions): TsigVerdict {
  const parsed = readMessage(message);
  if (!parsed.ok) return { status: "FORMERR", reason: parsed.reason };
  const records = parsed.value.records;
  const at = records.findIndex((r) => r.type === TYPE.TSIG);
  if (at < 0) return { status: "unsigned" };
  const rr = records[at]!;
  if (at !== records.length - 1 || rr.section !== 2)
    return { status: "FORMERR", reason: "TSIG is not the last additional record" };
  const record = readTsigRecord(message, rr.start, rr.rdataStart, rr.end);
  if (typeof record === "string") return { status: "FORMERR", reason: record };
  if (rr.klass !== CLASS.ANY || rr.ttl !== 0)
    return { status: "FORMERR", reason: "TSIG class is not ANY or its TTL is not 0", record };

  const key = opts.findKey(wireNameText(record.keyName));
  const alg = key === undefined ? undefined : ALGORITHMS[key.algorithm];
  if (key === undefined || alg === undefined || !sameName(record.algorithmName, alg.wireName))
    return { status: "BADKEY", record };
  if (record.mac.length > alg.size || record.mac.length < Math.max(10, alg.size / 2))
    return { status: "FORMERR", reason: `a MAC of ${record.mac.length} octets for ${key.algorithm}`, record };

  // A copy even when `message` is a Buffer (whose slice() is a view): the caller's bytes stay as they are.
  const unsignedPart = new Uint8Array(message.subarray(0, rr.start));
  const arcount = ((unsignedPart[10]! << 8) | unsignedPart[11]!) - 1;
  unsignedPart[10] = arcount >> 8;
  unsignedPart[11] = arcount & 0xff;
  const want = computeMac(
    alg.hash,
    key.secret,
    unsignedPart,
    record,
    opts.requestMac,
    opts.timersOnly === true,
  );
  if (!timingSafeEqual(want.subarray(0, record.mac.length), record.mac))
    return { status: "BADSIG", record, key };

  const fudge = Math.min(record.fudge, opts.maxFudge ?? record.fudge);
  if (Math.abs(opts.now - record.timeSigned) > fudge)
    return { status: "BADTIME", record, key, mac: record.mac };
  return { status: "ok", record, key, mac: record.mac };
}

function readTsigRecord(
  buf: Uint8Array,
  start: number,
  rdataStart: number,
  end: number,
): TsigRecord | string {
  const owner = readWireName(buf, start);
  if (!owner.ok) return `TSIG key name: ${owner.reason}`;
  const alg = readWireName(buf, rdataStart);
  if (!alg.ok) return `TSIG algorithm name: ${alg.reason}`;
  let off = alg.value.end;
  if (off + 10 > end) return "TSIG record is truncated";
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const timeSigned = view.getUint16(off) * 2 ** 32 + view.getUint32(off + 2);
  const fudge = view.getUint16(off + 6);
  const macSize = view.getUint16(off + 8);
  off += 10;
  if (off + macSize + 6 > end) return "TSIG MAC is truncated";
  const mac = buf.slice(off, off + macSize);
  off += macSize;
  const originalId = view.getUint16(off);
  const error = view.getUint16(off + 2);
  const otherLen = view.getUint16(off + 4);
  off += 6;
  if (off + otherLen !== end) return "TSIG record length does not add up";
  const otherData = buf.slice(off, end);
  return {
    keyName: owner.value.wire,
    algorithmName: alg.value.wire,
    timeSigned,
    fudge,
    mac,
    originalId,
    error,
    otherData,
  };
}

function computeMac(
  hash: string,
  secret: Uint8Array,
  message: Uint8Array,
  rec: TsigRecord,
  requestMac: Uint8Array | undefined,
  timersOnly: boolean,
): Uint8Array {
  const hmac = createHmac(hash, secret);
  if (requestMac !== undefined) hmac.update(concatBytes(u16(requestMac.length), requestMac));
  // The digest sees the message with its Original ID (a forwarder may have changed the header's ID).
  hmac.update(u16(rec.originalId));
  hmac.update(message.subarray(2, message.length));
  if (timersOnly) {
    hmac.update(concatBytes(u48(rec.timeSigned), u16(rec.fudge)));
  } else {
    hmac.update(
      concatBytes(
        rec.keyName,
        u16(CLASS.ANY),
        u32(0),
        rec.algorithmName,
        u48(rec.timeSigned),
        u16(rec.fudge),
        u16(rec.error),
        u16(rec.otherData.length),
        rec.otherData,
      ),
    );
  }
  return new Uint8Array(hmac.digest());
}

function sameName(wire: Uint8Array, text: string): boolean {
  return wireNameText(wire) === text;
}

/** The wire name of an algorithm, for messages ("hmac-md5.sig-alg.reg.int" for hmac-md5). */
export function algorithmOf(wire: Uint8Array): TsigAlgorithm | undefined {
  const text = wireNameText(wire);
  return TSIG_ALGORITHMS.find((a) => ALGORITHMS[a].wireName === text);
}

export function macSize(algorithm: TsigAlgorithm): number {
  return ALGORITHMS[algorithm].size;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

function u48(n: number): Uint8Array {
  const high = Math.floor(n / 2 ** 32);
  return concatBytes(u16(high), u32(n % 2 ** 32));
}
