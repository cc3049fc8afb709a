// The memory store's mirrors and outbox. Every method is synchronous, so the memory store can call
// them from inside its own (synchronous, hence atomic) changes. Values are cloned in and out.

import { BeaconError } from "../../core/errors.js";
import type { RecordType } from "../../core/records.js";
import type { MirrorFailure, MirrorStatus, MirrorTarget, OutboxEntry } from "../types.js";

interface State {
  lastSuccessAt: number | undefined;
  delivered: number;
  skipped: number;
  attempts: number;
  lastError: MirrorStatus["lastError"];
  nextTryAt: number | undefined;
}

const fresh = (): State => ({
  lastSuccessAt: undefined,
  delivered: 0,
  skipped: 0,
  attempts: 0,
  lastError: undefined,
  nextTryAt: undefined,
});

export interface SetRef {
  readonly fqdn: string;
  readonly type: RecordType;
  readonly rrset: OutboxEntry["rrset"];
}

export class MemoryMirrors {
  private readonly targets = new Map<string, MirrorTarget>();
  private readonly states = new Map<string, State>();
  /** In seq order. */
  private outbox: OutboxEntry[] = [];
  private nextSeq = 1;

  /** Appends one row per set and per mirror of `zone`, in the order given. */
  enqueue(zone: string, sets: readonly SetRef[], at: number): void {
    const ids = this.list(zone).map((m) => m.id);
    for (const s of sets) {
      for (const mirror of ids) {
        const rrset = s.rrset === null ? null : { ttl: s.rrset.ttl, values: [...s.rrset.values] };
        this.outbox.push({ seq: this.nextSeq++, mirror, fqdn: s.fqdn, type: s.type, rrset, createdAt: at });
      }
    }
  }

  dropZone(zone: string): void {
    for (const m of this.list(zone)) this.delete(m.id);
  }

  create(mirror: MirrorTarget, zoneExists: boolean): MirrorTarget {
    if (!zoneExists) throw new BeaconError("zone_not_found", `zone ${mirror.zone} does not exist`);
    if (this.targets.has(mirror.id))
      throw new BeaconError("mirror_exists", `mirror ${mirror.id} already exists`);
    this.targets.set(mirror.id, structuredClone(mirror));
    this.states.set(mirror.id, fresh());
    return structuredClone(mirror);
  }

  get(id: string): MirrorTarget | undefined {
    return structuredClone(this.targets.get(id));
  }

  /** Sorted by id. */
  list(zone?: string): MirrorTarget[] {
    const all = [...this.targets.values()].filter((m) => zone === undefined || m.zone === zone);
    return structuredClone(all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  }

  delete(id: string): boolean {
    if (!this.targets.delete(id)) return false;
    this.states.delete(id);
    this.outbox = this.outbox.filter((e) => e.mirror !== id);
    return true;
  }

  resync(id: string, setsOfZone: (zone: string) => SetRef[], at: number): number {
    const m = this.targets.get(id);
    if (m === undefined) throw new BeaconError("mirror_not_found", `mirror ${id} does not exist`);
    const sets = setsOfZone(m.zone);
    for (const s of sets) {
      this.outbox.push({ seq: this.nextSeq++, mirror: id, ...structuredClone(s), createdAt: at });
    }
    return sets.length;
  }

  pending(mirror: string, limit: number): OutboxEntry[] {
    const n = Math.max(0, Math.floor(limit));
    return structuredClone(this.outbox.filter((e) => e.mirror === mirror).slice(0, n));
  }

  ack(mirror: string, seqs: readonly number[], at: number, outcome: "delivered" | "skipped"): void {
    const drop = new Set(seqs);
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((e) => e.mirror !== mirror || !drop.has(e.seq));
    const removed = before - this.outbox.length;
    const s = this.states.get(mirror);
    if (s === undefined) return;
    if (outcome === "skipped") {
      s.skipped += removed;
      return;
    }
    Object.assign(s, {
      lastSuccessAt: at,
      delivered: s.delivered + removed,
      attempts: 0,
      lastError: undefined,
      nextTryAt: undefined,
    });
  }

  fail(mirror: string, f: MirrorFailure): void {
    const s = this.states.get(mirror);
    if (s === undefined) return;
    s.attempts += 1;
    s.lastError = { code: f.code, message: f.message, at: f.at };
    s.nextTryAt = f.nextTryAt;
  }

  status(): MirrorStatus[] {
    return this.list().map((m) => {
      const rows = this.outbox.filter((e) => e.mirror === m.id);
      const s = this.states.get(m.id) ?? fresh();
      return structuredClone({
        id: m.id,
        zone: m.zone,
        provider: m.provider,
        pending: rows.length,
        oldestPendingAt: rows.length === 0 ? undefined : Math.min(...rows.map((r) => r.createdAt)),
        ...s,
      });
    });
  }
}
