// For vendors that keep one record per value (Cloudflare, DigitalOcean, Porkbun, AliDNS, DNSPod, …):
// the smallest set of record writes that turns the records held into the desired values. Existing
// records are reused (updated in place) rather than deleted and recreated, so vendor-only settings
// (proxied flags, comments, weights) survive, and the order — updates, creates, then deletes — never
// leaves the name without an address in between.

export interface HeldRecord {
  readonly id: string;
  /** Canonical value. */
  readonly value: string;
  readonly ttl: number;
}

export interface RecordPlan {
  readonly updates: readonly { readonly id: string; readonly value: string; readonly ttl: number }[];
  readonly creates: readonly string[];
  readonly deletes: readonly string[];
}

export function planRecords(held: readonly HeldRecord[], values: readonly string[], ttl: number): RecordPlan {
  const wanted = new Set(values);
  const keep = new Set<string>();
  const spare: HeldRecord[] = [];
  const updates: { id: string; value: string; ttl: number }[] = [];
  for (const r of held) {
    if (wanted.has(r.value) && !keep.has(r.value)) {
      keep.add(r.value);
      if (r.ttl !== ttl) updates.push({ id: r.id, value: r.value, ttl });
    } else spare.push(r);
  }
  const missing = values.filter((v) => !keep.has(v));
  const creates: string[] = [];
  for (const value of missing) {
    const reuse = spare.shift();
    if (reuse === undefined) creates.push(value);
    else updates.push({ id: reuse.id, value, ttl });
  }
  return { updates, creates, deletes: spare.map((r) => r.id) };
}

export function isEmptyPlan(p: RecordPlan): boolean {
  return p.updates.length === 0 && p.creates.length === 0 && p.deletes.length === 0;
}
