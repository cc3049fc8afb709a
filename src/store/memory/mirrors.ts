// The memory store's mirrors, their delivery state and their outbox rows (outbox.ts): the MirrorStore
// port. `enqueue` and `dropZone` are for the zone module's changes: synchronous, so it calls them
// inside its own (synchronous, hence atomic) changes. A mirror needs its zone, and a resync reads the
// zone's sets, from the zone data. Every method runs without awaiting; values are cloned in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import type { MirrorStatus, MirrorTarget } from "../types.js";
import type { MirrorStore } from "../ports.js";
import { byKey } from "./order.js";
import { MemoryOutbox, type SetRef } from "./outbox.js";
import type { ZoneView } from "./zone-tables.js";

interface State {
  lastSuccessAt: number | undefined;
  delivered: number;
  skipped: number;
  attempts: number;
  lastError: MirrorStatus["lastError"];
  nextTryAt: number | undefined;
  lease: MirrorStatus["lease"];
}

const fresh = (): State => ({
  lastSuccessAt: undefined,
  delivered: 0,
  skipped: 0,
  attempts: 0,
  lastError: undefined,
  nextTryAt: undefined,
  lease: undefined,
});

export interface MemoryMirrors extends MirrorStore {
  /** Appends one row per set and per mirror of `zone`, in the order given, created at `at`. */
  readonly enqueue: (zone: string, sets: readonly SetRef[], at: number) => void;
  /** Deletes the zone's mirrors with their rows and state (the zone is being deleted). */
  readonly dropZone: (zone: string) => void;
}

export function createMemoryMirrors(
  open: () => void,
  tables: Pick<ZoneView, "zones" | "hostsIn" | "setsOf">,
): MemoryMirrors {
  const targets = new Map<string, MirrorTarget>();
  const states = new Map<string, State>();
  const outbox = new MemoryOutbox();

  /** Sorted by id; the stored objects. */
  const list = (zone?: string) =>
    [...targets.values()].filter((m) => zone === undefined || m.zone === zone).sort(byKey((m) => m.id));

  function remove(id: string): boolean {
    if (!targets.delete(id)) return false;
    states.delete(id);
    outbox.dropMirror(id);
    return true;
  }

  /** The mirror's state when it exists and, with `owner`, `owner` holds its lease (the fence). */
  function held(mirror: string, owner: string | undefined): State | undefined {
    const s = states.get(mirror);
    return s !== undefined && (owner === undefined || s.lease?.owner === owner) ? s : undefined;
  }

  /** Every set of the zone now, hosts by fqdn and sets by type. */
  const setsOfZone = (zone: string): SetRef[] =>
    tables
      .hostsIn(zone)
      .flatMap((h) =>
        tables
          .setsOf(h.fqdn)
          .map((s) => ({ fqdn: h.fqdn, type: s.type, rrset: { ttl: s.ttl, values: s.values } })),
      );

  return {
    async createMirror(mirror) {
      open();
      if (!tables.zones.has(mirror.zone))
        throw new BeaconError("zone_not_found", `zone ${mirror.zone} does not exist`);
      if (targets.has(mirror.id))
        throw new BeaconError("mirror_exists", `mirror ${mirror.id} already exists`);
      targets.set(mirror.id, structuredClone(mirror));
      states.set(mirror.id, fresh());
      return structuredClone(mirror);
    },

    async getMirror(id) {
      open();
      return structuredClone(targets.get(id));
    },

    async listMirrors(zone) {
      open();
      return structuredClone(list(zone));
    },

    async deleteMirror(id) {
      open();
      return remove(id);
    },

    async enqueueResync(id, at) {
      open();
      const m = targets.get(id);
      if (m === undefined) throw new BeaconError("mirror_not_found", `mirror ${id} does not exist`);
      const sets = setsOfZone(m.zone);
      for (const s of sets) outbox.append(id, s, at);
      return sets.length;
    },

    async pendingOutbox(mirror, limit) {
      open();
      const n = Math.max(0, Math.floor(limit));
      return structuredClone(outbox.of(mirror).slice(0, n));
    },

    async claimMirror(mirror, owner, now, leaseMs) {
      open();
      const s = states.get(mirror);
      if (s === undefined) return false;
      if (s.lease !== undefined && s.lease.owner !== owner && s.lease.until > now) return false;
      s.lease = { owner, until: now + leaseMs };
      return true;
    },

    async releaseMirror(mirror, owner) {
      open();
      const s = states.get(mirror);
      if (s?.lease?.owner === owner) s.lease = undefined;
    },

    async ackOutbox(mirror, seqs, at, outcome = "delivered", owner) {
      open();
      const s = held(mirror, owner);
      if (s === undefined) return false;
      const removed = outbox.remove(mirror, seqs);
      if (outcome === "skipped") s.skipped += removed;
      else
        Object.assign(s, {
          lastSuccessAt: at,
          delivered: s.delivered + removed,
          attempts: 0,
          lastError: undefined,
          nextTryAt: undefined,
        });
      return true;
    },

    async failMirror(mirror, f, owner) {
      open();
      const s = held(mirror, owner);
      if (s === undefined) return false;
      s.attempts += 1;
      s.lastError = { code: f.code, message: f.message, at: f.at };
      s.nextTryAt = f.nextTryAt;
      return true;
    },

    async mirrorStatus() {
      open();
      return list().map((m) => {
        const rows = outbox.of(m.id);
        const s = states.get(m.id) ?? fresh();
        return structuredClone({
          id: m.id,
          zone: m.zone,
          provider: m.provider,
          pending: rows.length,
          oldestPendingAt: rows.length === 0 ? undefined : Math.min(...rows.map((r) => r.createdAt)),
          ...s,
        });
      });
    },

    enqueue(zone, sets, at) {
      const ids = list(zone).map((m) => m.id);
      for (const s of sets) for (const mirror of ids) outbox.append(mirror, s, at);
    },

    dropZone(zone) {
      for (const m of list(zone)) remove(m.id);
    },
  };
}
