// Shared rules for reading and comparing record sets, so every provider decides "unchanged" the same
// way: same canonical values, and the same TTL unless the write leaves the TTL to the vendor.

import { BeaconError } from "../../core/errors.js";
import { canonicalValues, sameValues } from "../../core/records.js";
import { VendorError, vendorFailure } from "../errors.js";
import type { ProviderCapabilities, ProviderRecordType, ProviderRRSet, WriteRequest } from "../types.js";

/**
 * A set read from a vendor: values canonicalised and sorted. A value the vendor holds that is not
 * valid for the type (a CNAME where an A should be, say) is malformed_reply naming the vendor.
 */
export function vendorSet(
  vendor: string,
  type: ProviderRecordType,
  ttl: number,
  values: readonly string[],
): ProviderRRSet | undefined {
  if (values.length === 0) return undefined;
  try {
    return { type, ttl, values: canonicalValues(type, values) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw vendorFailure(
      "malformed_reply",
      new VendorError(vendor, `holds an unreadable ${type} set: ${message}`),
    );
  }
}

/** True when writing `req` over `current` would change nothing. */
export function isUnchanged(current: ProviderRRSet | undefined, req: WriteRequest): boolean {
  if (current === undefined) return false;
  if (!sameValues(current.values, req.values)) return false;
  return req.ttl === undefined || req.ttl === current.ttl;
}

/** The TTL to write: the request's, else the vendor's current one, else `fallback` (vendor default). */
export function ttlToWrite(req: WriteRequest, current: ProviderRRSet | undefined, fallback: number): number {
  return req.ttl ?? current?.ttl ?? fallback;
}

/** Rejects writes the provider cannot hold (a type it lacks, several values where it takes one). */
export function assertSupported(
  vendor: string,
  caps: ProviderCapabilities,
  type: ProviderRecordType,
  valueCount = 1,
): void {
  if (!caps.types.includes(type))
    throw new BeaconError("provider_unsupported", `${vendor} cannot hold ${type} records`);
  if (valueCount > 1 && !caps.multiValue)
    throw new BeaconError("provider_unsupported", `${vendor} holds one value per set, not ${valueCount}`);
}

/** The relative name of `fqdn` in `zone`: "@" at the apex (the convention most vendor APIs use). */
export function relativeName(fqdn: string, zone: string, apex = "@"): string {
  if (fqdn === zone) return apex;
  return fqdn.slice(0, fqdn.length - zone.length - 1);
}

/** What a full record-set API can do (A, AAAA and TXT sets, read, delete, TTL), with its TTL floor. */
export function fullCapabilities(minTtl?: number): ProviderCapabilities {
  return {
    types: ["A", "AAAA", "TXT"],
    read: true,
    delete: true,
    multiValue: true,
    ttl: true,
    ...(minTtl === undefined ? {} : { minTtl }),
  };
}
