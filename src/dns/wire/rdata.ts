// Rdata encoders for the types Beacon serves. Inputs are canonical values from the store (see
// core/records.ts); they are computed once per change by the zone index, not per query.

import type { Soa } from "../../core/soa.js";
import { ipv4Bytes, ipv6Bytes } from "./address.js";
import { encodeName } from "./name.js";

const utf8 = new TextEncoder();

/** IPv4 dotted quad → 4 octets; undefined if the text is not one. */
export function encodeA(value: string): Uint8Array | undefined {
  return ipv4Bytes(value);
}

/** IPv6 text → 16 octets; undefined if the text is not one. */
export function encodeAAAA(value: string): Uint8Array | undefined {
  return ipv6Bytes(value);
}

/**
 * One TXT value → character-strings. A value of at most 255 octets (the store's rule) is exactly one
 * string; a longer one is split into 255-octet strings rather than corrupted.
 */
export function encodeTXT(value: string): Uint8Array {
  const bytes = utf8.encode(value);
  const chunks = Math.max(1, Math.ceil(bytes.length / 255));
  const out = new Uint8Array(bytes.length + chunks);
  let off = 0;
  for (let c = 0; c < chunks; c++) {
    const part = bytes.subarray(c * 255, c * 255 + 255);
    out[off++] = part.length;
    out.set(part, off);
    off += part.length;
  }
  return out;
}

export function encodeNS(nameserver: string): Uint8Array {
  return encodeName(nameserver);
}

/** SOA rdata with names written in full (no compression). */
export function encodeSOA(soa: Soa, serial: number): Uint8Array {
  const mname = encodeName(soa.mname);
  const rname = encodeName(soa.rname);
  const out = new Uint8Array(mname.length + rname.length + 20);
  out.set(mname, 0);
  out.set(rname, mname.length);
  const view = new DataView(out.buffer);
  let off = mname.length + rname.length;
  for (const n of [serial, soa.refresh, soa.retry, soa.expire, soa.minimum]) {
    view.setUint32(off, n >>> 0);
    off += 4;
  }
  return out;
}

/** The RFC 8482 answer to qtype ANY: HINFO with CPU "RFC8482" and an empty OS. */
export const RFC8482_HINFO: Uint8Array = Uint8Array.of(7, ...utf8.encode("RFC8482"), 0);
