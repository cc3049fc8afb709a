// Turns a stored record set into its served, wire-ready form.

import type { RecordType, RRSet } from "../../core/records.js";
import type { WireRRSet } from "../answer/types.js";
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
  const rdata: Uint8Array[] = [];
  for (const v of set.values) {
    const bytes = enc.encode(v);
    if (bytes !== undefined) rdata.push(bytes);
  }
  if (rdata.length === 0) return undefined;
  // The values array is shared with the caller's set unless some value had to be left out.
  const values = rdata.length === set.values.length ? set.values : set.values.filter((v) => enc.encode(v));
  return { type: set.type, ttl: set.ttl, values, typeCode: enc.code, rdata };
}

/**
 * The sets of a snapshot grouped by host, keeping the snapshot's own objects (a stored set is an RRSet
 * with its fqdn): loading a million hosts makes no copies.
 */
export function groupByHost<S extends RRSet & { readonly fqdn: string }>(
  sets: readonly S[],
): Map<string, S[]> {
  const byHost = new Map<string, S[]>();
  for (const set of sets) {
    const list = byHost.get(set.fqdn);
    if (list === undefined) byHost.set(set.fqdn, [set]);
    else list.push(set);
  }
  return byHost;
}
