// Coalescing a mirror's pending rows: for each (fqdn, type) only the newest row is worth sending (a
// provider write makes the whole set what it says), so a burst of updates to one name costs one
// vendor call. Pure.

import type { OutboxEntry } from "../../store/types.js";

export interface Delivery {
  /** The newest row of its key: what the provider must hold once this delivery succeeds. */
  readonly entry: OutboxEntry;
  /** Every seq of the key in the input, the delivered one included (all ≤ entry.seq): acked together. */
  readonly seqs: readonly number[];
}

/**
 * `rows` must be oldest first (as pendingOutbox returns them). One delivery per key, ordered by the
 * seq of its newest row, so the values a vendor sees for one name follow the order of the updates
 * (some skipped, never reordered).
 */
export function coalesce(rows: readonly OutboxEntry[]): Delivery[] {
  const byKey = new Map<string, { entry: OutboxEntry; seqs: number[] }>();
  for (const row of rows) {
    const key = `${row.fqdn} ${row.type}`;
    const found = byKey.get(key);
    if (found === undefined) byKey.set(key, { entry: row, seqs: [row.seq] });
    else {
      found.seqs.push(row.seq);
      if (row.seq > found.entry.seq) found.entry = row;
    }
  }
  return [...byKey.values()].sort((a, b) => a.entry.seq - b.entry.seq);
}
