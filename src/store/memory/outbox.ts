// The memory store's outbox rows, in seq order: a seq is larger than every seq given before, across
// all mirrors, and never given again. Synchronous (the zone module appends inside its own changes);
// rows are copied in and cloned out.

import type { RecordType } from "../../core/records.js";
import type { OutboxEntry } from "../types.js";

/** A set (or a delete: rrset null) to deliver. */
export interface SetRef {
  readonly fqdn: string;
  readonly type: RecordType;
  readonly rrset: OutboxEntry["rrset"];
}

export class MemoryOutbox {
  #rows: OutboxEntry[] = [];
  #nextSeq = 1;

  append(mirror: string, s: SetRef, at: number): void {
    const rrset = s.rrset === null ? null : { ttl: s.rrset.ttl, values: [...s.rrset.values] };
    this.#rows.push({ seq: this.#nextSeq++, mirror, fqdn: s.fqdn, type: s.type, rrset, createdAt: at });
  }

  /** The mirror's rows, oldest first (stored objects: clone before they leave the store). */
  of(mirror: string): OutboxEntry[] {
    return this.#rows.filter((e) => e.mirror === mirror);
  }

  /** Removes the mirror's rows with these seqs (others are ignored); resolves with how many. */
  remove(mirror: string, seqs: readonly number[]): number {
    const drop = new Set(seqs);
    const before = this.#rows.length;
    this.#rows = this.#rows.filter((e) => e.mirror !== mirror || !drop.has(e.seq));
    return before - this.#rows.length;
  }

  /** Removes every row of the mirror. */
  dropMirror(mirror: string): void {
    this.#rows = this.#rows.filter((e) => e.mirror !== mirror);
  }
}
