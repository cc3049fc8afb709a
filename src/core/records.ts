// Record sets Beacon manages for a host, and the rules for their values.

import { BeaconError } from "./errors.js";
import { parseIp } from "./ip.js";

const utf8 = new TextEncoder();

export const RECORD_TYPES = ["A", "AAAA", "TXT"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export function isRecordType(s: string): s is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(s);
}

export const MIN_TTL = 1;
export const MAX_TTL = 86_400 * 7;
/** At most this many values in one set (keeps answers inside a UDP datagram and bounds abuse). */
export const MAX_VALUES = 16;
/** TXT values are character strings of at most 255 octets each; a value here is one string. */
export const MAX_TXT_LENGTH = 255;

export interface RRSet {
  readonly type: RecordType;
  readonly ttl: number;
  /** Canonical values, deduplicated and sorted (so equal sets compare equal). */
  readonly values: readonly string[];
}

/** Validates and canonicalises values for `type`: sorted, deduplicated. Throws `invalid_record` / `invalid_ip`. */
export function canonicalValues(type: RecordType, values: readonly string[]): string[] {
  if (values.length === 0) throw new BeaconError("invalid_record", `a ${type} set needs at least one value`);
  if (values.length > MAX_VALUES) {
    throw new BeaconError("invalid_record", `a ${type} set holds at most ${MAX_VALUES} values`);
  }
  const out = new Set<string>();
  for (const v of values) {
    if (type === "TXT") {
      if (utf8.encode(v).length > MAX_TXT_LENGTH) {
        throw new BeaconError("invalid_record", `a TXT value is at most ${MAX_TXT_LENGTH} bytes`);
      }
      out.add(v);
      continue;
    }
    const ip = parseIp(v);
    const family = type === "A" ? 4 : 6;
    if (ip?.family !== family) {
      throw new BeaconError("invalid_ip", `"${v.slice(0, 64)}" is not an IPv${family} address`);
    }
    out.add(ip.text);
  }
  return [...out].sort();
}

export function validateTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < MIN_TTL || ttl > MAX_TTL) {
    throw new BeaconError("invalid_ttl", `TTL must be an integer between ${MIN_TTL} and ${MAX_TTL}`);
  }
  return ttl;
}

export function sameValues(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
