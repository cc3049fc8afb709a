// The transfer journal: the ChangeListener in front of the zone index. It passes every change and
// every load on to the index (its ContentHolder, held-zones.ts), reading the touched host's or zone's
// state just before and just after, and keeps per zone only the IXFR history (history.ts: the last
// `maxEntries` diffs, RFC 1995). Zone transfers read the content, SOA and serial from the index
// (records.ts), so the zone data is held once. In memory only: after a restart the journal is empty,
// and IXFR falls back on the store's change log (log-diffs.ts), then on the full zone.
//
// Contract:
// - Callers tell the journal, never the index, every change (cli/serve lists the journal in fanOut
//   and hands the index out only as a read-only ZoneView): a change the index heard alone would be
//   missing from the diffs.
// - Changes between two serials accumulate as "pending" and become one diff when the serial advances
//   (serialChanged, or zoneChanged with a new serial). An RR removed and added back in the same window
//   cancels out; a set whose TTL changed is removed and added whole (RRs are compared with their TTL).
// - A diff holds what the index's content did, not what the call said: a change the index ignores
//   (a zone it does not hold, a name outside its zone) adds nothing.
// - Anything the journal cannot explain (content changed without a serial change, a serial that does
//   not advance) clears that zone's diffs, so a later IXFR gets the full zone instead of a wrong diff.
// - `load(snapshot)` (start, or a reload after another process wrote the store) keeps the diffs of a
//   zone whose content was already held and records the whole difference as one more diff.
// - Listeners must not throw: nothing here throws for any input.

import type { RRSet } from "../../core/records.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Snapshot } from "../../store/types.js";
import type { Zone } from "../../core/zones.js";
import { encodeName } from "../wire/name.js";
import type { ContentHolder } from "../answer/held-zones.js";
import { ZoneHistory, type ZoneDiff } from "./history.js";
import {
  contentDifference,
  difference,
  heldContent,
  hostDifference,
  NO_SETS,
  nsRecords,
  zoneRecords,
  type HeldContent,
  type RecordChange,
  type XfrRecord,
} from "./records.js";
import { compareSerial } from "./serial.js";

export type { XfrRecord } from "./records.js";
export type { ZoneDiff } from "./history.js";

/** A zone as transferred. */
export interface ZoneContent {
  readonly name: string;
  readonly owner: Uint8Array;
  readonly serial: number;
  /** TTL of the SOA record. */
  readonly ttl: number;
  readonly soaRdata: Uint8Array;
  /** Every record except the SOA: apex NS first, then hosts in name order. */
  records(): XfrRecord[];
}

/** The read side the transfer responder and the NOTIFY sender use. */
export interface TransferSource {
  zone(name: string): ZoneContent | undefined;
  /**
   * The diffs that take a secondary from `serial` to the zone's current serial, oldest first; [] when
   * `serial` is current or newer; undefined when the journal cannot cover it (unknown zone, too old,
   * restarted since).
   */
  diffsSince(zone: string, serial: number): readonly ZoneDiff[] | undefined;
}

export interface JournalOptions {
  /** Diffs kept per zone (default 1000). */
  readonly maxEntries?: number;
}

/** A zone's serial and SOA rdata at one moment (the index updates its zone in place). */
interface SoaAt {
  readonly serial: number;
  readonly soaRdata: Uint8Array;
}

export class ZoneJournal implements ChangeListener, TransferSource {
  readonly #content: ContentHolder;
  readonly #histories = new Map<string, ZoneHistory>();
  readonly #max: number;

  /** `content` is the zone index this journal feeds: from now on, tell it changes only through here. */
  constructor(content: ContentHolder, opts: JournalOptions = {}) {
    this.#content = content;
    this.#max = Math.max(1, opts.maxEntries ?? 1000);
  }

  load(snapshot: Snapshot): void {
    const before = new Map<string, SoaAt & { history: ZoneHistory; content: HeldContent | undefined }>();
    for (const zone of snapshot.zones) {
      const held = this.#content.zone(zone.name);
      const history = this.#histories.get(zone.name);
      if (held === undefined || history === undefined) continue;
      // Only a zone whose serial advances with nothing pending gets a diff: keep its content for it.
      const advances = compareSerial(zone.serial, held.serial) > 0 && !history.hasPending;
      const content = advances ? heldContent(this.#content, zone.name) : undefined;
      before.set(zone.name, { serial: held.serial, soaRdata: held.soaRdata, history, content });
    }
    this.#content.load(snapshot);
    this.#histories.clear();
    for (const zone of snapshot.zones) {
      const now = this.#content.zone(zone.name);
      if (now === undefined) continue;
      const old = before.get(zone.name);
      let history = new ZoneHistory(this.#max);
      if (old !== undefined && old.serial === now.serial) {
        history = old.history;
        history.dropPending();
      } else if (old?.content !== undefined) {
        const { removed, added } = contentDifference(old.content, heldContent(this.#content, zone.name)!);
        history = old.history;
        history.note(removed, added);
        history.advance(old.serial, old.soaRdata, now.serial, now.soaRdata);
      }
      this.#histories.set(zone.name, history);
    }
  }

  // ---- TransferSource ----

  zone(name: string): ZoneContent | undefined {
    const z = this.#content.zone(name);
    if (z === undefined) return undefined;
    return {
      name: z.name,
      owner: encodeName(z.name),
      serial: z.serial,
      ttl: z.ttl,
      soaRdata: z.soaRdata,
      records: () => zoneRecords(this.#content, name),
    };
  }

  diffsSince(zone: string, serial: number): readonly ZoneDiff[] | undefined {
    const z = this.#content.zone(zone);
    return z === undefined ? undefined : this.#history(zone)?.since(serial, z.serial);
  }

  // ---- ChangeListener: each passed on to the index, the state around it noted ----

  zoneChanged(zone: Zone): void {
    const held = this.#content.zone(zone.name);
    const old = held && { ...soaAt(held), ns: nsRecords(held) };
    this.#content.zoneChanged(zone);
    const now = this.#content.zone(zone.name);
    if (old === undefined) this.#histories.delete(zone.name); // a new zone: its history starts now
    const history = this.#history(zone.name);
    if (old === undefined || now === undefined || history === undefined) return;
    const { removed, added } = difference(old.ns, nsRecords(now));
    history.note(removed, added);
    if (now.serial !== old.serial) history.advance(old.serial, old.soaRdata, now.serial, now.soaRdata);
  }

  zoneRemoved(name: string): void {
    this.#content.zoneRemoved(name);
    this.#histories.delete(name);
  }

  hostChanged(fqdn: string, zone: string, sets: readonly RRSet[]): void {
    this.#aroundHost(fqdn, () => this.#content.hostChanged(fqdn, zone, sets));
  }

  hostRemoved(fqdn: string, zone: string): void {
    this.#aroundHost(fqdn, () => this.#content.hostRemoved(fqdn, zone));
  }

  serialChanged(zone: string, serial: number): void {
    const held = this.#content.zone(zone);
    const old = held && soaAt(held);
    this.#content.serialChanged(zone, serial);
    const now = this.#content.zone(zone);
    if (old === undefined || now === undefined) return;
    this.#history(zone)?.advance(old.serial, old.soaRdata, now.serial, now.soaRdata);
  }

  /** Applies `change` to the index and notes what it did to host `fqdn` (in one zone, or moving it). */
  #aroundHost(fqdn: string, change: () => void): void {
    const before = this.#content.host(fqdn);
    change();
    const after = this.#content.host(fqdn);
    if (before !== undefined && before.zone === after?.zone) {
      this.#note(before.zone, hostDifference(fqdn, before.sets, after.sets));
      return;
    }
    if (before !== undefined) this.#note(before.zone, hostDifference(fqdn, before.sets, NO_SETS));
    if (after !== undefined) this.#note(after.zone, hostDifference(fqdn, NO_SETS, after.sets));
  }

  #note(zone: string, change: RecordChange): void {
    if (change.removed.length + change.added.length > 0)
      this.#history(zone)?.note(change.removed, change.added);
  }

  /** The zone's history; a fresh one for a zone the index holds that has none; undefined otherwise. */
  #history(zone: string): ZoneHistory | undefined {
    let history = this.#histories.get(zone);
    if (history === undefined && this.#content.zone(zone) !== undefined) {
      history = new ZoneHistory(this.#max);
      this.#histories.set(zone, history);
    }
    return history;
  }
}

function soaAt(zone: SoaAt): SoaAt {
  return { serial: zone.serial, soaRdata: zone.soaRdata };
}
