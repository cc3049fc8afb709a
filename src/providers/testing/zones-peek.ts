// What a FakeZones account holds for one name and type, as the contract's `peek` wants it: values
// canonical and sorted, the TTL of the first record. Read straight from the fake's state, never
// through the provider under test.

import { canonicalValues } from "../../core/records.js";
import type { ProviderRecordType, ProviderRRSet } from "../types.js";
import type { FakeZones } from "./fake-vendor.js";

export function peekZones(
  zones: FakeZones,
  fqdn: string,
  type: ProviderRecordType,
): ProviderRRSet | undefined {
  const zone = zones.zoneOf(fqdn);
  const records = zone === undefined ? [] : zones.find(zone, fqdn, type);
  const first = records[0];
  if (first === undefined) return undefined;
  return {
    type,
    ttl: first.ttl,
    values: canonicalValues(
      type,
      records.map((r) => r.content),
    ),
  };
}
