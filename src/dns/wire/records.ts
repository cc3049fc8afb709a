// Walks a whole DNS message record by record (RFC 1035 §4.1), for the code that must see every record
// of a reply or request: TSIG (is the last additional record a TSIG?) and the UPDATE/query reply reader.
// Hostile input: never throws, every offset is bounds-checked, compression pointers go strictly
// backwards (name.ts skipName).

import { asciiLowerCase } from "../../core/names.js";
import { HEADER_SIZE, MAX_NAME_WIRE } from "./constants.js";
import { skipName } from "./name.js";
import { fail, ok, type Parsed } from "./result.js";

export interface WireRecord {
  /** 0 answer (UPDATE: prerequisite), 1 authority (UPDATE: update), 2 additional. */
  readonly section: 0 | 1 | 2;
  /** Offset of the owner name: where the record starts. */
  readonly start: number;
  readonly type: number;
  readonly klass: number;
  readonly ttl: number;
  readonly rdataStart: number;
  /** Offset just past the record. */
  readonly end: number;
}

export interface WireMessage {
  readonly id: number;
  readonly flags: number;
  /** The 4-bit rcode of the header (extended rcodes are not read: Beacon sends no EDNS here). */
  readonly rcode: number;
  readonly qdcount: number;
  /** Offset just past the question (UPDATE: zone) section. */
  readonly questionEnd: number;
  readonly records: readonly WireRecord[];
}

export function readMessage(buf: Uint8Array): Parsed<WireMessage> {
  if (buf.length < HEADER_SIZE) return fail("shorter than a DNS header");
  const u16 = (o: number) => (buf[o]! << 8) | buf[o + 1]!;
  const counts = [u16(6), u16(8), u16(10)] as const;
  let off = HEADER_SIZE;
  for (let i = 0; i < u16(4); i++) {
    const name = skipName(buf, off);
    if (!name.ok) return fail(`question: ${name.reason}`);
    off = name.value.end + 4;
    if (off > buf.length) return fail("question is truncated");
  }
  const questionEnd = off;
  const records: WireRecord[] = [];
  for (const section of [0, 1, 2] as const) {
    for (let i = 0; i < counts[section]; i++) {
      const start = off;
      const name = skipName(buf, off);
      if (!name.ok) return fail(`record owner: ${name.reason}`);
      off = name.value.end;
      if (off + 10 > buf.length) return fail("record is truncated");
      const rdataStart = off + 10;
      const end = rdataStart + u16(off + 8);
      if (end > buf.length) return fail("record data is truncated");
      const ttl =
        ((buf[off + 4]! << 24) | (buf[off + 5]! << 16) | (buf[off + 6]! << 8) | buf[off + 7]!) >>> 0;
      records.push({ section, start, type: u16(off), klass: u16(off + 2), ttl, rdataStart, end });
      off = end;
    }
  }
  if (off !== buf.length) return fail(`${buf.length - off} octets after the last record`);
  return ok({ id: u16(0), flags: u16(2), rcode: buf[3]! & 0x0f, qdcount: u16(4), questionEnd, records });
}

/**
 * The name at `start` in canonical wire form (RFC 4034 §6.2): compression expanded, ASCII letters
 * lowercased. `end` is where the name ends in the message (after its first pointer, if any).
 */
export function readWireName(buf: Uint8Array, start: number): Parsed<{ wire: Uint8Array; end: number }> {
  const skipped = skipName(buf, start);
  if (!skipped.ok) return skipped;
  const out = new Uint8Array(MAX_NAME_WIRE);
  let size = 0;
  let off = start;
  // skipName proved the pointers go backwards, the labels fit and the total is at most 255 octets.
  for (;;) {
    const len = buf[off]!;
    if ((len & 0xc0) === 0xc0) {
      off = ((len & 0x3f) << 8) | buf[off + 1]!;
      continue;
    }
    out[size++] = len;
    if (len === 0) break;
    for (let i = 1; i <= len; i++) {
      const c = buf[off + i]!;
      out[size++] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    }
    off += 1 + len;
  }
  return ok({ wire: out.slice(0, size), end: skipped.value.end });
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Wire form of a name given as text ("example.test", trailing dot allowed, case folded): labels of
 * 1–63 octets of printable ASCII, 255 octets at most. Undefined when the text is not such a name.
 */
export function toWireName(text: string): Uint8Array | undefined {
  const name = asciiLowerCase(text).replace(/\.$/, "");
  if (name === "") return Uint8Array.of(0);
  if (name.length + 2 > MAX_NAME_WIRE || /[^\x21-\x7e]/.test(name)) return undefined;
  const out: number[] = [];
  for (const label of name.split(".")) {
    if (label.length === 0 || label.length > 63) return undefined;
    out.push(label.length);
    for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i));
  }
  out.push(0);
  return Uint8Array.from(out);
}

/** Text of a wire name for messages and lookups: lowercase, "."-joined, other octets as \DDD. */
export function wireNameText(wire: Uint8Array): string {
  const labels: string[] = [];
  for (let off = 0; off < wire.length && wire[off] !== 0; off += 1 + wire[off]!) {
    let label = "";
    for (let i = off + 1; i <= off + wire[off]! && i < wire.length; i++) {
      const c = wire[i]!;
      const plain = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
      label += plain ? String.fromCharCode(c) : `\\${c.toString().padStart(3, "0")}`;
    }
    labels.push(label);
  }
  return labels.join(".");
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
