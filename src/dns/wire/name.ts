// Domain names on the wire (RFC 1035 §3.1, §4.1.4). Readers treat input as hostile and never throw.

import { MAX_LABEL, MAX_NAME_WIRE } from "./constants.js";
import { fail, ok, type Parsed } from "./result.js";

export interface QuestionName {
  /**
   * Canonical text: lowercase ASCII, labels joined by ".", no trailing dot, "" for the root. Any octet
   * outside [a-z0-9_-] (after lowercasing A–Z) is written as `\DDD`, so a "." inside a label never
   * reads as a label boundary and such names can never equal a stored (canonical) name.
   */
  readonly name: string;
  /** Offset just past the terminating zero octet. */
  readonly end: number;
  readonly labelCount: number;
}

/** Reads an uncompressed name (a question name must not use compression pointers). */
export function readQuestionName(buf: Uint8Array, start: number): Parsed<QuestionName> {
  let off = start;
  let name = "";
  let labelCount = 0;
  for (;;) {
    if (off >= buf.length) return fail("truncated name");
    const len = buf[off]!;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) return fail("compression pointer in question");
    if (len > MAX_LABEL) return fail("label longer than 63 octets");
    if (off + 1 - start + len + 1 > MAX_NAME_WIRE) return fail("name longer than 255 octets");
    if (off + 1 + len > buf.length) return fail("truncated name");
    if (labelCount > 0) name += ".";
    for (let i = off + 1; i <= off + len; i++) name += escapeOctet(buf[i]!);
    labelCount++;
    off += 1 + len;
  }
  return ok({ name, end: off + 1, labelCount });
}

/** Most pointer jumps followed in one name; a longer chain is treated as a loop. */
const MAX_JUMPS = 64;

export interface SkippedName {
  /** Offset just past the name in the record stream (after its first pointer or its zero octet). */
  readonly end: number;
  readonly isRoot: boolean;
}

/**
 * Validates a possibly compressed name without decoding it: every pointer must point strictly
 * backwards and at most MAX_JUMPS are followed, so loops end; the expanded name must fit 255 octets.
 */
export function skipName(buf: Uint8Array, start: number): Parsed<SkippedName> {
  let off = start;
  let end = -1;
  let wireLength = 1;
  let jumps = 0;
  let isRoot = true;
  for (;;) {
    if (off >= buf.length) return fail("truncated name");
    const len = buf[off]!;
    if (len === 0) {
      return ok({ end: end < 0 ? off + 1 : end, isRoot });
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (off + 1 >= buf.length) return fail("truncated compression pointer");
      const target = ((len & 0x3f) << 8) | buf[off + 1]!;
      if (end < 0) end = off + 2;
      if (target >= off || ++jumps > MAX_JUMPS) return fail("compression loop");
      off = target;
      continue;
    }
    if (kind !== 0) return fail("unknown label type");
    wireLength += 1 + len;
    if (wireLength > MAX_NAME_WIRE) return fail("name longer than 255 octets");
    if (off + 1 + len > buf.length) return fail("truncated name");
    isRoot = false;
    off += 1 + len;
  }
}

/** Offset of the label that starts the last `keep` labels of the uncompressed name at `start`. */
export function suffixOffset(buf: Uint8Array, start: number, labelCount: number, keep: number): number {
  let off = start;
  for (let skip = labelCount - keep; skip > 0; skip--) off += 1 + buf[off]!;
  return off;
}

/** Wire form of a canonical name (see core/names.ts); "" is the root. */
export function encodeName(name: string): Uint8Array {
  if (name === "") return Uint8Array.of(0);
  const labels = name.split(".");
  const out = new Uint8Array(name.length + 2);
  let off = 0;
  for (const label of labels) {
    out[off++] = label.length;
    for (let i = 0; i < label.length; i++) out[off++] = label.charCodeAt(i) & 0xff;
  }
  out[off] = 0;
  return out;
}

function escapeOctet(c: number): string {
  if (c >= 0x41 && c <= 0x5a) return String.fromCharCode(c + 0x20);
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f) {
    return String.fromCharCode(c);
  }
  return `\\${c.toString().padStart(3, "0")}`;
}
