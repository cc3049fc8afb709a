// Reads an RFC 2136 UPDATE message (§2): the zone section and the prerequisite and update records,
// with owner names in canonical text. Hostile input: never throws; a message that cannot be walked
// comes back as a reason (→ FORMERR). The TSIG record, if any, is left out (verified elsewhere).

import ipaddr from "ipaddr.js";
import { TYPE } from "../wire/constants.js";
import { readMessage, readWireName, wireNameText } from "../wire/records.js";
import { fail, ok, type Parsed } from "../wire/result.js";

export interface UpdateRR {
  /** Canonical text (lowercase, no trailing dot); octets outside [a-z0-9_-] as \DDD. */
  readonly name: string;
  readonly type: number;
  readonly klass: number;
  readonly ttl: number;
  readonly rdata: Uint8Array;
}

export interface DecodedUpdate {
  readonly zone: { readonly name: string; readonly type: number; readonly klass: number } | undefined;
  /** Number of entries in the zone section (RFC 2136 §3.1.1: must be exactly one). */
  readonly zoneCount: number;
  readonly prerequisites: readonly UpdateRR[];
  readonly updates: readonly UpdateRR[];
}

export function decodeUpdate(msg: Uint8Array): Parsed<DecodedUpdate> {
  const parsed = readMessage(msg);
  if (!parsed.ok) return parsed;
  const m = parsed.value;
  let zone: DecodedUpdate["zone"];
  if (m.qdcount >= 1) {
    const name = readWireName(msg, 12);
    if (!name.ok) return fail(`zone: ${name.reason}`);
    const at = name.value.end;
    zone = {
      name: wireNameText(name.value.wire),
      type: (msg[at]! << 8) | msg[at + 1]!,
      klass: (msg[at + 2]! << 8) | msg[at + 3]!,
    };
  }
  const prerequisites: UpdateRR[] = [];
  const updates: UpdateRR[] = [];
  for (const r of m.records) {
    if (r.section === 2) continue;
    const owner = readWireName(msg, r.start);
    if (!owner.ok) return fail(`record owner: ${owner.reason}`);
    const rr: UpdateRR = {
      name: wireNameText(owner.value.wire),
      type: r.type,
      klass: r.klass,
      ttl: r.ttl,
      rdata: msg.slice(r.rdataStart, r.end),
    };
    (r.section === 0 ? prerequisites : updates).push(rr);
  }
  return ok({ zone, zoneCount: m.qdcount, prerequisites, updates });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The value of an A, AAAA or TXT rdata as Beacon stores it, or undefined when the rdata is malformed.
 * A TXT record's character-strings are joined into one value (Beacon keeps one string per value).
 */
export function rdataValue(type: number, rdata: Uint8Array): string | undefined {
  if (type === TYPE.A) return rdata.length === 4 ? rdata.join(".") : undefined;
  if (type === TYPE.AAAA)
    return rdata.length === 16
      ? (ipaddr.fromByteArray([...rdata]) as ipaddr.IPv6).toRFC5952String()
      : undefined;
  if (type !== TYPE.TXT) return undefined;
  const parts: number[] = [];
  for (let off = 0; off < rdata.length;) {
    const len = rdata[off]!;
    if (off + 1 + len > rdata.length) return undefined;
    for (let i = off + 1; i <= off + len; i++) parts.push(rdata[i]!);
    off += 1 + len;
  }
  if (rdata.length === 0) return undefined;
  try {
    return utf8.decode(Uint8Array.from(parts));
  } catch {
    return undefined;
  }
}
