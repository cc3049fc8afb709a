// RFC 2136 UPDATE messages and the plain authoritative query the RFC 2136 provider reads with, plus
// the reader of their replies. Values are canonical (core/records.ts); TXT values are raw bytes on
// the wire (UTF-8), split into 255-octet character-strings, never presentation-format quoted.

import ipaddr from "ipaddr.js";
import { BeaconError } from "../../core/errors.js";
import { CLASS, OPCODE, TYPE } from "./constants.js";
import { encodeA, encodeAAAA, encodeTXT } from "./rdata.js";
import { concatBytes as concat, readMessage, readWireName, sameBytes, toWireName } from "./records.js";
import { fail, ok, type Parsed } from "./result.js";

export type UpdateType = "A" | "AAAA" | "TXT";

/** RFC 2136 §2.4: conditions the server checks before applying any update. */
export type Prerequisite =
  | { readonly kind: "rrset-exists"; readonly name: string; readonly type: UpdateType }
  | { readonly kind: "rrset-absent"; readonly name: string; readonly type: UpdateType }
  | { readonly kind: "name-in-use"; readonly name: string }
  | { readonly kind: "name-not-in-use"; readonly name: string };

/** RFC 2136 §2.5: the changes, applied all or nothing. */
export type UpdateOp =
  | {
      readonly kind: "add";
      readonly name: string;
      readonly type: UpdateType;
      readonly ttl: number;
      readonly value: string;
    }
  | { readonly kind: "delete-rrset"; readonly name: string; readonly type: UpdateType }
  | { readonly kind: "delete-rr"; readonly name: string; readonly type: UpdateType; readonly value: string }
  | { readonly kind: "delete-name"; readonly name: string };

export interface UpdateMessage {
  readonly id: number;
  readonly zone: string;
  readonly prerequisites?: readonly Prerequisite[];
  readonly updates: readonly UpdateOp[];
}

const EMPTY = new Uint8Array(0);

/** The UPDATE message (unsigned). Throws invalid_hostname / invalid_record for unusable input. */
export function encodeUpdate(m: UpdateMessage): Uint8Array {
  const pre = m.prerequisites ?? [];
  const parts: Uint8Array[] = [
    header(m.id, OPCODE.UPDATE << 11, [1, pre.length, m.updates.length, 0]),
    wireName(m.zone),
    u16s(TYPE.SOA, CLASS.IN),
  ];
  for (const p of pre) {
    const type = "type" in p ? TYPE[p.type] : TYPE.ANY;
    const klass = p.kind === "rrset-exists" || p.kind === "name-in-use" ? CLASS.ANY : CLASS.NONE;
    parts.push(rr(p.name, type, klass, 0, EMPTY));
  }
  for (const u of m.updates) {
    if (u.kind === "add") parts.push(rr(u.name, TYPE[u.type], CLASS.IN, u.ttl, rdata(u.type, u.value)));
    else if (u.kind === "delete-rrset") parts.push(rr(u.name, TYPE[u.type], CLASS.ANY, 0, EMPTY));
    else if (u.kind === "delete-rr")
      parts.push(rr(u.name, TYPE[u.type], CLASS.NONE, 0, rdata(u.type, u.value)));
    else parts.push(rr(u.name, TYPE.ANY, CLASS.ANY, 0, EMPTY));
  }
  return concat(...parts);
}

/** A non-recursive class-IN query for one name and type, without EDNS (unsigned). */
export function encodeQuery(id: number, name: string, type: UpdateType | "SOA"): Uint8Array {
  return concat(header(id, 0, [1, 0, 0, 0]), wireName(name), u16s(TYPE[type], CLASS.IN));
}

export interface ReplyAnswer {
  readonly rcode: number;
  readonly authoritative: boolean;
  /** The lowest TTL of the matching records (they should all be equal); undefined when there are none. */
  readonly ttl: number | undefined;
  /** Values of the records of `type` owned by exactly `name`, in reply order. */
  readonly values: readonly string[];
}

/** Reads the answer section of a query reply for `name`/`type`. Never throws. */
export function readAnswer(reply: Uint8Array, name: string, type: UpdateType): Parsed<ReplyAnswer> {
  const msg = readMessage(reply);
  if (!msg.ok) return msg;
  const owner = toWireName(name);
  if (owner === undefined) return fail(`"${name}" is not a domain name`);
  let ttl: number | undefined;
  const values: string[] = [];
  for (const r of msg.value.records) {
    if (r.section !== 0 || r.type !== TYPE[type] || r.klass !== CLASS.IN) continue;
    const rname = readWireName(reply, r.start);
    if (!rname.ok) return fail(rname.reason);
    if (!sameBytes(rname.value.wire, owner)) continue;
    const value = rdataText(type, reply.subarray(r.rdataStart, r.end));
    if (value === undefined) return fail(`an unreadable ${type} record`);
    values.push(value);
    ttl = Math.min(ttl ?? r.ttl, r.ttl);
  }
  const authoritative = (msg.value.flags & 0x0400) !== 0;
  return ok({ rcode: msg.value.rcode, authoritative, ttl, values });
}

const utf8 = new TextDecoder();

function rdataText(type: UpdateType, data: Uint8Array): string | undefined {
  if (type === "A") return data.length === 4 ? data.join(".") : undefined;
  if (type === "AAAA") return data.length === 16 ? ipaddr.fromByteArray([...data]).toString() : undefined;
  // TXT: one or more character-strings, joined back into the one value they were split from.
  const parts: Uint8Array[] = [];
  for (let off = 0; off < data.length;) {
    const len = data[off]!;
    if (off + 1 + len > data.length) return undefined;
    parts.push(data.subarray(off + 1, off + 1 + len));
    off += 1 + len;
  }
  return parts.length === 0 ? undefined : utf8.decode(concat(...parts));
}

function rdata(type: UpdateType, value: string): Uint8Array {
  const bytes = type === "A" ? encodeA(value) : type === "AAAA" ? encodeAAAA(value) : encodeTXT(value);
  if (bytes === undefined)
    throw new BeaconError("invalid_record", `"${value.slice(0, 64)}" is not a valid ${type} value`);
  return bytes;
}

function wireName(name: string): Uint8Array {
  const wire = toWireName(name);
  if (wire === undefined)
    throw new BeaconError("invalid_hostname", `"${name.slice(0, 64)}" is not a domain name`);
  return wire;
}

function rr(name: string, type: number, klass: number, ttl: number, data: Uint8Array): Uint8Array {
  const fixed = new Uint8Array(10);
  const view = new DataView(fixed.buffer);
  view.setUint16(0, type);
  view.setUint16(2, klass);
  view.setUint32(4, ttl >>> 0);
  view.setUint16(8, data.length);
  return concat(wireName(name), fixed, data);
}

function header(id: number, flags: number, counts: readonly [number, number, number, number]): Uint8Array {
  return u16s(id, flags, ...counts);
}

function u16s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, v));
  return out;
}
