// The record sets an update asks for, checked and made canonical before they are compared with what a
// host has. Pure. What it promises: values canonical (core/records canonicalValues: sorted,
// deduplicated, IPv6 compressed), every A/AAAA value an address the policy accepts, every ttl valid
// (the one asked for, else the host's default); the first value or ttl that is not throws its
// BeaconError (invalid_record, invalid_ip, ip_not_global, invalid_ttl), so a host's change is taken
// whole or refused whole.

import { BeaconError } from "../core/errors.js";
import { parseIp, type ParsedIp } from "../core/ip.js";
import { canonicalValues, sameValues, validateTtl, type RecordType, type RRSet } from "../core/records.js";
import type { DesiredSets } from "../core/update.js";

/**
 * The sets of `types` asked for in `sets` (null: delete the set), checked; `ttl` is the host's
 * default. A type `sets` leaves out is left out.
 */
export function resolveSets(
  sets: DesiredSets,
  types: readonly RecordType[],
  ttl: number,
  acceptsAddress: (ip: ParsedIp) => boolean,
): Map<RecordType, RRSet | null> {
  const out = new Map<RecordType, RRSet | null>();
  for (const type of types) {
    const want = sets[type];
    if (want === undefined) continue;
    if (want === null) {
      out.set(type, null);
      continue;
    }
    const values = canonicalValues(type, want.values);
    if (type !== "TXT") {
      for (const v of values) {
        const ip = parseIp(v);
        if (ip === undefined || !acceptsAddress(ip)) {
          throw new BeaconError("ip_not_global", `${v} is not a global unicast address`);
        }
      }
    }
    out.set(type, { type, ttl: validateTtl(want.ttl ?? ttl), values });
  }
  return out;
}

/** True when `want` (null: delete the set) is what `old` already is: same ttl, same canonical values. */
export function unchangedBy(old: RRSet | undefined, want: RRSet | null): boolean {
  if (want === null) return old === undefined;
  return old !== undefined && old.ttl === want.ttl && sameValues(old.values, want.values);
}
