// One delivery: the newest row of a key, sent through the mirror's provider with a deadline. What the
// provider cannot hold at all (a record type it lacks, a delete it cannot do, several values where it
// holds one) is "skipped" — retrying could never succeed and would block every later change of the
// mirror — and the worker logs and counts it. Any other failure rejects, and the row stays.

import type { Timers } from "../../core/timers.js";
import { canonicalValues } from "../../core/records.js";
import type { Provider } from "../../providers/types.js";
import type { OutboxEntry } from "../../store/types.js";

export type DeliveryResult =
  { readonly outcome: "delivered" } | { readonly outcome: "skipped"; readonly reason: string };

/** Why `provider` can never hold `entry`, or undefined when it can. */
export function cannotHold(provider: Provider, entry: OutboxEntry): string | undefined {
  const caps = provider.capabilities;
  if (!caps.types.includes(entry.type))
    return `provider ${provider.type} does not hold ${entry.type} records`;
  if (entry.rrset === null && !caps.delete) return `provider ${provider.type} cannot delete records`;
  if (entry.rrset !== null && entry.rrset.values.length > 1 && !caps.multiValue) {
    return `provider ${provider.type} holds one value per set, the set has ${entry.rrset.values.length}`;
  }
  return undefined;
}

/** Resolves once the provider acknowledged; rejects with its error (aborted when `timeoutMs` passed). */
export async function deliver(
  provider: Provider,
  entry: OutboxEntry,
  timers: Timers,
  timeoutMs: number,
): Promise<DeliveryResult> {
  const reason = cannotHold(provider, entry);
  if (reason !== undefined) return { outcome: "skipped", reason };
  const ac = new AbortController();
  const timer = timers.setTimeout(() => ac.abort(), timeoutMs);
  try {
    const ctx = { signal: ac.signal };
    if (entry.rrset === null) await provider.delete(entry.fqdn, entry.type, ctx);
    else {
      const values = canonicalValues(entry.type, entry.rrset.values);
      await provider.upsert({ fqdn: entry.fqdn, type: entry.type, values, ttl: entry.rrset.ttl }, ctx);
    }
    return { outcome: "delivered" };
  } finally {
    timers.clearTimeout(timer);
  }
}
