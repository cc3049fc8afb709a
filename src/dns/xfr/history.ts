// One zone's change history for IXFR (RFC 1995): the changes since the last serial ("pending") and up
// to `max` diffs, each taking the zone from one serial to the next. It holds no zone content: the
// journal tells it what changed (`note`) and when the serial moved (`advance`).
//
// Promises:
// - An RR removed and added back (or added and removed) within one window cancels out.
// - `advance` to a newer serial closes the window into one diff, dropping the oldest beyond `max`.
//   A serial that goes back, or stays put while changes are pending (content moved and no secondary
//   can be told), forgets every diff: a later IXFR gets the full zone instead of a wrong diff.
// - `since` covers a client's serial only through an unbroken chain of diffs ending at the current one.

import { recordKey, type XfrRecord } from "./records.js";
import { compareSerial } from "./serial.js";

/** What changed between two consecutive serials of a zone (RFC 1995 §4 difference sequence). */
export interface ZoneDiff {
  readonly from: number;
  readonly to: number;
  /** SOA rdata with serial `from` and `to`. */
  readonly oldSoa: Uint8Array;
  readonly newSoa: Uint8Array;
  readonly removed: readonly XfrRecord[];
  readonly added: readonly XfrRecord[];
}

export class ZoneHistory {
  /** key → the pending change of that RR since the last serial. */
  readonly #pending = new Map<string, { op: "add" | "remove"; rec: XfrRecord }>();
  #diffs: ZoneDiff[] = [];
  readonly #max: number;

  constructor(maxEntries: number) {
    this.#max = Math.max(1, maxEntries);
  }

  get hasPending(): boolean {
    return this.#pending.size > 0;
  }

  /** Folds a change into the pending window. */
  note(removed: readonly XfrRecord[], added: readonly XfrRecord[]): void {
    for (const [op, list] of [
      ["remove", removed],
      ["add", added],
    ] as const) {
      for (const rec of list) {
        const key = recordKey(rec);
        const existing = this.#pending.get(key);
        if (existing !== undefined && existing.op !== op) this.#pending.delete(key);
        else this.#pending.set(key, { op, rec });
      }
    }
  }

  /** The zone's serial moved from `from` (SOA rdata `oldSoa`) to `to` (`newSoa`). */
  advance(from: number, oldSoa: Uint8Array, to: number, newSoa: Uint8Array): void {
    if (to === from) {
      if (this.hasPending) this.forget();
      return;
    }
    if (compareSerial(to, from) < 0) {
      this.forget();
      return;
    }
    const removed: XfrRecord[] = [];
    const added: XfrRecord[] = [];
    for (const { op, rec } of this.#pending.values()) (op === "add" ? added : removed).push(rec);
    this.#diffs.push({ from, to, oldSoa, newSoa, removed, added });
    if (this.#diffs.length > this.#max) this.#diffs.splice(0, this.#diffs.length - this.#max);
    this.#pending.clear();
  }

  /** Drops the pending window and keeps the diffs (content reloaded at the same serial). */
  dropPending(): void {
    this.#pending.clear();
  }

  forget(): void {
    this.#diffs = [];
    this.#pending.clear();
  }

  /**
   * The diffs from `serial` to `current` (the zone's serial now), oldest first; [] when `serial` is
   * current or newer; undefined when they do not reach back to `serial` or forward to `current`.
   */
  since(serial: number, current: number): readonly ZoneDiff[] | undefined {
    if (compareSerial(serial, current) >= 0) return [];
    const at = this.#diffs.findIndex((d) => d.from === serial);
    if (at < 0 || this.#diffs.at(-1)?.to !== current) return undefined;
    return this.#diffs.slice(at);
  }
}
