// Mirrors, their delivery state and lease, and their outbox on DynamoDB (the MirrorStore port), with
// the pieces a zone change uses: the mirrors of a zone, appending outbox rows, dropping a zone's
// mirrors. A mirror is one item (MIRRORS/<id>: the target and its state, lease included); its rows
// are OUTBOX#<id>/<seq>. Every change, leases included, goes through the commit log, so an ack (rows
// and state) is atomic and fenced by the lease as read in the same commit.

import { BeaconError } from "../../core/errors.js";
import type { MirrorStore } from "../ports.js";
import type { MirrorStatus, MirrorTarget, OutboxEntry } from "../types.js";
import { data, keyOf } from "./codec.js";
import type { CommitLog, Reader, Tx } from "./commit-log.js";
import { keys } from "./table.js";
import { readZone, readZoneContent } from "./zone-items.js";

type State = Omit<MirrorStatus, "id" | "zone" | "provider" | "pending" | "oldestPendingAt">;

interface MirrorItem {
  readonly m: MirrorTarget;
  readonly s: State;
}

/** A set (or a delete: rrset null) to deliver. */
export type SetRef = Pick<OutboxEntry, "fqdn" | "type" | "rrset">;

const fresh = (): State => ({
  lastSuccessAt: undefined,
  delivered: 0,
  skipped: 0,
  attempts: 0,
  lastError: undefined,
  nextTryAt: undefined,
  lease: undefined,
});

/** Mirrors sorted by id; only the zone's when given. */
export async function readMirrors(r: Reader, zone?: string): Promise<MirrorItem[]> {
  const all = (await r.query(keys.mirror("").pk)).map((i) => data<MirrorItem>(i));
  return all.filter((x) => zone === undefined || x.m.zone === zone);
}

/** One row per set and per mirror, in the order given, created at `at`. */
export function stageOutbox(tx: Tx, mirrors: readonly string[], sets: readonly SetRef[], at: number): number {
  let n = 0;
  for (const s of sets) {
    for (const mirror of mirrors) {
      const seq = tx.next("o");
      const row: OutboxEntry = { seq, mirror, fqdn: s.fqdn, type: s.type, rrset: s.rrset, createdAt: at };
      tx.put(keys.outbox(mirror, seq), row);
      n++;
    }
  }
  return n;
}

/** Deletes the mirror with its rows. */
export async function stageMirrorDelete(tx: Tx, id: string): Promise<void> {
  tx.del(keys.mirror(id));
  for (const row of await tx.query(keys.outbox(id, 0).pk)) tx.del(keyOf(row));
}

export function createDynamoMirrors(log: CommitLog): MirrorStore {
  const get = (r: Reader, id: string) => r.get(keys.mirror(id)).then((i) => i && data<MirrorItem>(i));
  const save = (tx: Tx, x: MirrorItem) => tx.put(keys.mirror(x.m.id), x);
  /** Changes the state when the mirror exists and, with `owner`, `owner` holds its lease. */
  const fenced = (
    id: string,
    owner: string | undefined,
    change: (tx: Tx, x: MirrorItem) => State | Promise<State>,
  ) =>
    log.mutate(async (tx) => {
      const x = await get(tx, id);
      if (x === undefined || (owner !== undefined && x.s.lease?.owner !== owner)) return false;
      save(tx, { m: x.m, s: await change(tx, x) });
      return true;
    });

  return {
    createMirror: (mirror) =>
      log.mutate(async (tx) => {
        if ((await readZone(tx, mirror.zone)) === undefined)
          throw new BeaconError("zone_not_found", `zone ${mirror.zone} does not exist`);
        if ((await get(tx, mirror.id)) !== undefined)
          throw new BeaconError("mirror_exists", `mirror ${mirror.id} already exists`);
        save(tx, { m: mirror, s: fresh() });
        return structuredClone(mirror);
      }),

    getMirror: (id) => log.read(async (r) => (await get(r, id))?.m, { single: true }),

    listMirrors: (zone) => log.read(async (r) => (await readMirrors(r, zone)).map((x) => x.m)),

    deleteMirror: (id) =>
      log.mutate(async (tx) => {
        if ((await get(tx, id)) === undefined) return false;
        await stageMirrorDelete(tx, id);
        return true;
      }),

    enqueueResync: (id, at) =>
      log.mutate(async (tx) => {
        const x = await get(tx, id);
        if (x === undefined) throw new BeaconError("mirror_not_found", `mirror ${id} does not exist`);
        const { sets } = await readZoneContent(tx, x.m.zone);
        const refs = sets.map((s) => ({
          fqdn: s.fqdn,
          type: s.type,
          rrset: { ttl: s.ttl, values: s.values },
        }));
        return stageOutbox(tx, [id], refs, at);
      }),

    async pendingOutbox(mirror, limit) {
      const n = Math.max(0, Math.floor(limit));
      if (!(n > 0)) return [];
      const rows = await log.read((r) => r.query(keys.outbox(mirror, 0).pk, { limit: n }));
      return rows.map((i) => data<OutboxEntry>(i));
    },

    claimMirror: (id, owner, now, leaseMs) =>
      log.mutate(async (tx) => {
        const x = await get(tx, id);
        const lease = x?.s.lease;
        if (x === undefined || (lease !== undefined && lease.owner !== owner && lease.until > now))
          return false;
        save(tx, { m: x.m, s: { ...x.s, lease: { owner, until: now + leaseMs } } });
        return true;
      }),

    async releaseMirror(id, owner) {
      await log.mutate(async (tx) => {
        const x = await get(tx, id);
        if (x?.s.lease?.owner === owner) save(tx, { m: x.m, s: { ...x.s, lease: undefined } });
      });
    },

    ackOutbox: (id, seqs, at, outcome = "delivered", owner) =>
      fenced(id, owner, async (tx, { s }) => {
        const unique = [...new Set(seqs)].filter((q) => Number.isSafeInteger(q) && q > 0);
        const found = await Promise.all(unique.map((q) => tx.get(keys.outbox(id, q))));
        let removed = 0;
        for (const item of found) {
          if (item === undefined) continue;
          tx.del(keyOf(item));
          removed++;
        }
        return outcome === "skipped"
          ? { ...s, skipped: s.skipped + removed }
          : {
              ...s,
              lastSuccessAt: at,
              delivered: s.delivered + removed,
              attempts: 0,
              lastError: undefined,
              nextTryAt: undefined,
            };
      }),

    failMirror: (id, f, owner) =>
      fenced(id, owner, (_tx, { s }) => ({
        ...s,
        attempts: s.attempts + 1,
        lastError: { code: f.code, message: f.message, at: f.at },
        nextTryAt: f.nextTryAt,
      })),

    mirrorStatus: () =>
      log.read(async (r) => {
        const out: MirrorStatus[] = [];
        for (const { m, s } of await readMirrors(r)) {
          const rows = (await r.query(keys.outbox(m.id, 0).pk)).map((i) => data<OutboxEntry>(i));
          const oldest = rows.length === 0 ? undefined : Math.min(...rows.map((e) => e.createdAt));
          out.push({
            ...fresh(),
            ...s,
            id: m.id,
            zone: m.zone,
            provider: m.provider,
            pending: rows.length,
            oldestPendingAt: oldest,
          });
        }
        return out;
      }),
  };
}
