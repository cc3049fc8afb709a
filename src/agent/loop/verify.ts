// The live record, for verification cycles: the target's own view when it has one (Beacon's API),
// else a DNS query for the name at the configured or system resolver (not bound to a WAN line: the
// resolver is usually on the LAN).

import { canonicalValues } from "../../core/records.js";
import type { HostPort } from "../../config/server-config.js";
import type { DnsQuery } from "../../dns/client/ports.js";
import type { Target } from "../targets/types.js";

export interface LiveQuery {
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  readonly target: Target;
  readonly dnsQuery: DnsQuery;
  readonly resolver: HostPort | undefined;
  readonly signal: AbortSignal;
}

/**
 * Canonical sorted values; [] when the name has none of this type; undefined when they could not be
 * read (no way to ask, network error, SERVFAIL…). Never throws.
 */
export async function liveValues(q: LiveQuery): Promise<readonly string[] | undefined> {
  if (q.target.current !== undefined) {
    try {
      const values = await q.target.current(q.fqdn, q.type, q.signal);
      return values === undefined ? undefined : canonical(q.type, values);
    } catch {
      return undefined;
    }
  }
  if (q.resolver === undefined) return undefined;
  try {
    const reply = await q.dnsQuery({
      server: q.resolver.host,
      port: q.resolver.port,
      name: q.fqdn,
      type: q.type,
      signal: q.signal,
    });
    if (reply.rcode === "NXDOMAIN") return [];
    if (reply.rcode !== "NOERROR") return undefined;
    return canonical(q.type, reply.answers);
  } catch {
    return undefined;
  }
}

function canonical(type: "A" | "AAAA", values: readonly string[]): readonly string[] | undefined {
  if (values.length === 0) return [];
  try {
    return canonicalValues(type, values);
  } catch {
    return undefined;
  }
}
