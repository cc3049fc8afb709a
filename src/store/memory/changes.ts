// The memory store's change log: the rows SQLite's triggers would append, kept in an array.

import type { ChangeRow } from "../change-log.js";

export class MemoryChangeLog {
  #rows: (ChangeRow & { readonly seq: number })[] = [];
  #last = 0;

  get last(): number {
    return this.#last;
  }

  record(zone: string, fqdn: string | null, op: "insert" | "update" | "delete"): void {
    this.#rows.push({ seq: ++this.#last, zone, fqdn, op });
  }

  /** Rows after `after`, or undefined as Store.changesSince says. */
  since(after: number, limit: number): ChangeRow[] | undefined {
    const first = this.#rows[0]?.seq ?? this.#last + 1;
    if (after > this.#last || after < first - 1 || this.#last - after > limit) return undefined;
    return this.#rows.filter((r) => r.seq > after);
  }

  prune(keep: number, limit: number): number {
    const n = Math.max(0, Math.min(this.#rows.length - Math.max(1, keep), limit));
    this.#rows = this.#rows.slice(n);
    return n;
  }
}
