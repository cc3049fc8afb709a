// The Provider skeleton for vendors whose API holds whole record sets (PowerDNS, deSEC, Hetzner Cloud):
// the vendor-specific part reads one set and writes or removes one set; the rules every such provider
// shares — refuse what the vendor cannot hold, read before writing, report "unchanged" without sending a
// write, delete only what exists — live here once.

import { sameValues } from "../../core/records.js";
import { assertSupported, isUnchanged } from "./sets.js";
import type {
  CallContext,
  Provider,
  ProviderCapabilities,
  ProviderRecordType,
  ProviderRRSet,
  WriteRequest,
} from "../types.js";

/** The vendor-specific half. `R` is the vendor's view of a set (ids, comments, …) a write may need. */
export interface RRSetApi<R extends { readonly set: ProviderRRSet }> {
  /** The set held now, or undefined. Rejects with catalogue errors. */
  read(fqdn: string, type: ProviderRecordType, ctx: CallContext): Promise<R | undefined>;
  /** Makes the vendor hold `req` (values, and the TTL unless undefined); `current` is what read() saw. */
  write(req: WriteRequest, current: R | undefined, ctx: CallContext): Promise<void>;
  /** Removes the set read() saw. */
  remove(fqdn: string, type: ProviderRecordType, current: R, ctx: CallContext): Promise<void>;
}

export interface RRSetProviderSpec<R extends { readonly set: ProviderRRSet }> {
  readonly id: string;
  readonly type: string;
  /** For messages: "powerdns <id>". */
  readonly vendor: string;
  readonly capabilities: ProviderCapabilities;
  readonly api: RRSetApi<R>;
}

export function rrsetProvider<R extends { readonly set: ProviderRRSet }>(
  spec: RRSetProviderSpec<R>,
): Provider {
  const { api, capabilities, vendor } = spec;
  return {
    id: spec.id,
    type: spec.type,
    capabilities,
    async get(fqdn, type, ctx) {
      assertSupported(vendor, capabilities, type);
      return (await api.read(fqdn, type, ctx))?.set;
    },
    async upsert(req, ctx) {
      assertSupported(vendor, capabilities, req.type, req.values.length);
      const current = await api.read(req.fqdn, req.type, ctx);
      if (isUnchanged(current?.set, req)) return "unchanged";
      await api.write(req, current, ctx);
      return "changed";
    },
    async delete(fqdn, type, ctx) {
      assertSupported(vendor, capabilities, type);
      const current = await api.read(fqdn, type, ctx);
      if (current === undefined) return "unchanged";
      await api.remove(fqdn, type, current, ctx);
      return "changed";
    },
  };
}

/** True when a write must send the values (they differ from the held ones, or nothing is held). */
export function valuesDiffer(current: ProviderRRSet | undefined, req: WriteRequest): boolean {
  return current === undefined || !sameValues(current.values, req.values);
}
