// The name scopes and CIDR lists tokens and TSIG keys take in admin request bodies, checked and made
// canonical before a service sees them (a service stores names and CIDRs as given).

import { z } from "zod";
import { BeaconError } from "../../../core/errors.js";
import { parseCidr } from "../../../core/ip.js";
import { normalizeName } from "../../../core/names.js";
import { RECORD_TYPES } from "../../../core/records.js";
import type { NameScope } from "../../../core/zones.js";

export const scopesSchema = z
  .array(z.strictObject({ name: z.string().max(253), subtree: z.boolean().optional() }))
  .min(1)
  .max(64);
export const typesSchema = z.array(z.enum(RECORD_TYPES)).min(1).max(3);
export const cidrsSchema = z.array(z.string().max(64)).max(64);

/** Canonical names (invalid_hostname otherwise), deduplicated. */
export function canonicalScopes(
  raw: readonly { name: string; subtree?: boolean | undefined }[],
): NameScope[] {
  const seen = new Map<string, NameScope>();
  for (const s of raw) {
    const scope = { name: normalizeName(s.name), subtree: s.subtree ?? false };
    seen.set(`${scope.name} ${scope.subtree}`, scope);
  }
  return [...seen.values()];
}

/** Canonical CIDRs; bad_request naming the first one that is not an address or CIDR. */
export function canonicalCidrs(raw: readonly string[] | undefined): string[] {
  return (raw ?? []).map((c) => {
    const cidr = parseCidr(c.trim());
    if (cidr === undefined) throw new BeaconError("bad_request", `"${c.slice(0, 64)}" is not a CIDR`);
    return cidr;
  });
}
