// Zone discovery for vendors whose API lists the account's zones (DNSPod, Huawei Cloud): the zone of a
// name is the longest listed zone it lies in. The list is fetched once per provider instance and
// reused; a name no cached zone holds refetches it once (the zone may have been added since), so a
// long-running agent or mirror worker picks up new zones without a restart and without a request per
// write. A configured zone narrows the choice to that zone, and a name outside it is refused before
// anything is sent.

import { findZone, isAtOrBelow } from "../../core/names.js";
import { VendorError, vendorFailure } from "../errors.js";
import type { CallContext } from "../types.js";

export interface AccountZone {
  /** Canonical name (lowercase, no trailing dot). */
  readonly name: string;
  /** The vendor's id for it (the name itself where the vendor addresses zones by name). */
  readonly id: string;
}

export interface ZoneFinderOptions {
  /** For messages: "dnspod <id>". */
  readonly vendor: string;
  /** The zone the user configured, canonical; undefined to discover. */
  readonly configured: string | undefined;
  /** Every zone of the account. Omit when a configured zone needs no lookup (addressed by name). */
  readonly list?: (ctx: CallContext) => Promise<readonly AccountZone[]>;
}

export type ZoneFinder = (fqdn: string, ctx: CallContext) => Promise<AccountZone>;

export function zoneFinder(opts: ZoneFinderOptions): ZoneFinder {
  const { vendor, configured, list } = opts;
  let cached: readonly AccountZone[] | undefined;

  const notFound = (message: string) =>
    vendorFailure("provider_zone_not_found", new VendorError(vendor, message));

  const pick = (fqdn: string, zones: readonly AccountZone[]): AccountZone | undefined => {
    const usable = configured === undefined ? zones : zones.filter((z) => z.name === configured);
    const name = findZone(
      fqdn,
      usable.map((z) => z.name),
    );
    return usable.find((z) => z.name === name);
  };

  return async (fqdn, ctx) => {
    if (configured !== undefined && !isAtOrBelow(fqdn, configured))
      throw notFound(`${fqdn} is not in the configured zone ${configured}`);
    if (list === undefined) {
      if (configured === undefined) throw new Error("zoneFinder: neither a zone nor a way to list zones");
      return { name: configured, id: configured };
    }
    const hit = cached === undefined ? undefined : pick(fqdn, cached);
    if (hit !== undefined) return hit;
    cached = await list(ctx);
    const fresh = pick(fqdn, cached);
    if (fresh === undefined)
      throw notFound(
        configured === undefined
          ? `no zone of the account holds ${fqdn}`
          : `the account has no zone ${configured} (configured for ${fqdn})`,
      );
    return fresh;
  };
}
