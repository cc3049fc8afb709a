// Mirror targets and their outbox in SQLite. The enqueue helpers run inside the caller's transaction
// (deleteHost, deleteZone; commit's own rows are written by update-path.ts), which is what makes "a row
// exists exactly when its change committed" true. Each function takes the transaction (or the database) it works in.

import type { Kysely, Transaction } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { MirrorFailure, MirrorStatus, MirrorTarget, OutboxEntry } from "../types.js";
import { isUniqueViolation } from "./errors.js";
import { mirrorFromRow, mirrorStatusFromRow, mirrorToRow, outboxFromRow } from "./rows.js";
import type { Database, OutboxTable } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;
type OutboxRow = Omit<OutboxTable, "seq">;

/** Rows per INSERT/IN list, well under SQLite's bound-parameter limit. */
const CHUNK = 200;

async function insertOutbox(trx: Db, rows: readonly OutboxRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto("outbox")
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

/** Mirror ids by zone, for the given zones. */
async function mirrorsOf(trx: Db, zones: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (zones.length === 0) return out;
  const rows = await trx
    .selectFrom("mirrors")
    .select(["id", "zone"])
    .where("zone", "in", [...zones])
    .orderBy("id")
    .execute();
  for (const r of rows) out.set(r.zone, [...(out.get(r.zone) ?? []), r.id]);
  return out;
}

/** Delete rows for every set `fqdn` holds now; call before the sets are deleted. */
export async function enqueueHostDelete(trx: Db, fqdn: string, zone: string, at: number): Promise<void> {
  const mirrors = (await mirrorsOf(trx, [zone])).get(zone) ?? [];
  if (mirrors.length === 0) return;
  const sets = await trx
    .selectFrom("rrsets")
    .select("type")
    .where("fqdn", "=", fqdn)
    .orderBy("type")
    .execute();
  const rows: OutboxRow[] = [];
  for (const s of sets) {
    for (const mirror of mirrors) {
      rows.push({ mirror, fqdn, type: s.type, ttl: null, values_json: null, created_at: at });
    }
  }
  await insertOutbox(trx, rows);
}

/** Deletes the zone's mirrors with their outbox rows (before the zone row goes). */
export async function dropZoneMirrors(trx: Db, zone: string): Promise<void> {
  await trx
    .deleteFrom("outbox")
    .where("mirror", "in", (eb) => eb.selectFrom("mirrors").select("id").where("zone", "=", zone))
    .execute();
  await trx.deleteFrom("mirrors").where("zone", "=", zone).execute();
}

export async function createMirror(trx: Db, mirror: MirrorTarget): Promise<void> {
  const zone = await trx
    .selectFrom("zones")
    .select("name")
    .where("name", "=", mirror.zone)
    .executeTakeFirst();
  if (zone === undefined) throw new BeaconError("zone_not_found", `zone ${mirror.zone} does not exist`);
  try {
    await trx.insertInto("mirrors").values(mirrorToRow(mirror)).execute();
  } catch (e) {
    if (isUniqueViolation(e)) throw new BeaconError("mirror_exists", `mirror ${mirror.id} already exists`);
    throw e;
  }
}

export async function getMirror(db: Db, id: string): Promise<MirrorTarget | undefined> {
  const row = await db.selectFrom("mirrors").selectAll().where("id", "=", id).executeTakeFirst();
  return row === undefined ? undefined : mirrorFromRow(row);
}

export async function listMirrors(db: Db, zone?: string): Promise<MirrorTarget[]> {
  let q = db.selectFrom("mirrors").selectAll();
  if (zone !== undefined) q = q.where("zone", "=", zone);
  return (await q.orderBy("id").execute()).map(mirrorFromRow);
}

export async function deleteMirror(trx: Db, id: string): Promise<boolean> {
  await trx.deleteFrom("outbox").where("mirror", "=", id).execute();
  const r = await trx.deleteFrom("mirrors").where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function enqueueResync(trx: Db, id: string, at: number): Promise<number> {
  const mirror = await getMirror(trx, id);
  if (mirror === undefined) throw new BeaconError("mirror_not_found", `mirror ${id} does not exist`);
  const sets = await trx
    .selectFrom("rrsets")
    .innerJoin("hosts", "hosts.fqdn", "rrsets.fqdn")
    .select(["rrsets.fqdn", "rrsets.type", "rrsets.ttl", "rrsets.values_json"])
    .where("hosts.zone", "=", mirror.zone)
    .orderBy("rrsets.fqdn")
    .orderBy("rrsets.type")
    .execute();
  await insertOutbox(
    trx,
    sets.map((s) => ({ mirror: id, ...s, created_at: at })),
  );
  return sets.length;
}

export async function pendingOutbox(db: Db, mirror: string, limit: number): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom("outbox")
    .selectAll()
    .where("mirror", "=", mirror)
    .orderBy("seq")
    .limit(Math.max(0, Math.floor(limit)))
    .execute();
  return rows.map(outboxFromRow);
}

export async function ackOutbox(
  trx: Db,
  mirror: string,
  seqs: readonly number[],
  at: number,
  outcome: "delivered" | "skipped",
): Promise<void> {
  let removed = 0;
  for (let i = 0; i < seqs.length; i += CHUNK) {
    const r = await trx
      .deleteFrom("outbox")
      .where("mirror", "=", mirror)
      .where("seq", "in", seqs.slice(i, i + CHUNK))
      .executeTakeFirst();
    removed += Number(r.numDeletedRows);
  }
  const q = trx.updateTable("mirrors").where("id", "=", mirror);
  if (outcome === "skipped") {
    await q.set((eb) => ({ skipped: eb("skipped", "+", removed) })).execute();
    return;
  }
  await q
    .set((eb) => ({
      delivered: eb("delivered", "+", removed),
      last_success_at: at,
      attempts: 0,
      last_error_code: null,
      last_error_message: null,
      last_error_at: null,
      next_try_at: null,
    }))
    .execute();
}

export async function failMirror(db: Db, mirror: string, f: MirrorFailure): Promise<void> {
  await db
    .updateTable("mirrors")
    .where("id", "=", mirror)
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      last_error_code: f.code,
      last_error_message: f.message,
      last_error_at: f.at,
      next_try_at: f.nextTryAt,
    }))
    .execute();
}

export async function mirrorStatus(trx: Db): Promise<MirrorStatus[]> {
  const mirrors = await trx.selectFrom("mirrors").selectAll().orderBy("id").execute();
  const counts = await trx
    .selectFrom("outbox")
    .select((eb) => ["mirror", eb.fn.countAll<number>().as("n"), eb.fn.min("created_at").as("oldest")])
    .groupBy("mirror")
    .execute();
  const byMirror = new Map(counts.map((c) => [c.mirror, c]));
  return mirrors.map((m) => {
    const c = byMirror.get(m.id);
    return mirrorStatusFromRow(m, Number(c?.n ?? 0), c?.oldest ?? null);
  });
}
