// Turns a stored record set into its served, wire-ready form.

import type { RecordType, RRSet } from "../../core/records.js";
import type { WireRRSet } from "../types.js";
import { TYPE } from "./constants.js";
import { encodeA, encodeAAAA, encodeTXT } from "./rdata.js";

const ENCODERS: Record<RecordType, { code: number; encode: (v: string) => Uint8Array | undefined }> = {
  A: { code: TYPE.A, encode: encodeA },
  AAAA: { code: TYPE.AAAA, encode: encodeAAAA },
  TXT: { code: TYPE.TXT, encode: encodeTXT },
};

/** Values that cannot be encoded are left out; undefined when none remain (the set is not served). */
export function toWireRRSet(set: RRSet): WireRRSet | undefined {
  const enc = ENCODERS[set.type] as (typeof ENCODERS)[RecordType] | undefined;
  if (enc === undefined) return undefined;
  const values: string[] = [];
  const rdata: Uint8Array[] = [];
  for (const v of set.values) {
    const bytes = enc.encode(v);
    if (bytes === undefined) continue;
    values.push(v);
    rdata.push(bytes);
  }
  if (rdata.length === 0) return undefined;
  return { type: set.type, ttl: set.ttl, values, typeCode: enc.code, rdata };
}
