// Zone discovery for vendors that can say whether they host a given zone name (Cloudflare, DigitalOcean,
// Gandi): ask for the name itself, then each parent, longest first, and take the first the vendor
// hosts (so a delegated sub-zone wins over its parent). Answers are cached per provider instance;
// a name no zone holds is not cached, so a zone added at the vendor is found on the next call.

import { BeaconError } from "../../core/errors.js";

/** The names that could be the zone of `fqdn`, longest first; never a bare top-level label. */
export function zoneCandidates(fqdn: string): string[] {
  const labels = fqdn.split(".");
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join("."));
  return out;
}

export interface FoundZone<Z> {
  readonly name: string;
  readonly zone: Z;
}

/** The vendor's zone called `name`, or undefined for its "no such zone"; rejects for other failures. */
export type ZoneProbe<Z> = (name: string) => Promise<Z | undefined>;

export class ZoneWalker<Z> {
  /** Candidate name → the vendor's zone, or null when the vendor said it has no such zone. */
  private readonly known = new Map<string, Z | null>();

  constructor(private readonly vendor: string) {}

  /** The zone holding `fqdn`; provider_zone_not_found when no candidate is hosted. */
  async find(fqdn: string, probe: ZoneProbe<Z>): Promise<FoundZone<Z>> {
    const misses: string[] = [];
    for (const name of zoneCandidates(fqdn)) {
      let zone = this.known.get(name);
      if (zone === undefined) zone = (await probe(name)) ?? null;
      if (zone === null) {
        misses.push(name);
        continue;
      }
      for (const m of misses) this.known.set(m, null);
      this.known.set(name, zone);
      return { name, zone };
    }
    throw new BeaconError(
      "provider_zone_not_found",
      `${this.vendor}: no zone of this account holds ${fqdn}`,
      { details: { provider: this.vendor } },
    );
  }
}
