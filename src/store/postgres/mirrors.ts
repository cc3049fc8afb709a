// MirrorStore in PostgreSQL, as sqlite/mirrors.ts: mirror targets and their outbox. A row exists in
// the outbox exactly when its change committed: the commit writes its own rows (update-path.ts), and
// deleteHost / deleteZone call enqueueHostDelete / dropZoneMirrors inside their transaction (zones.ts).
// Which node delivers a mirror is its lease (claimMirror); the writes that record a delivery lock
// the mirror's row and check the lease first (holds), so a node whose lease was taken over records nothing.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { MirrorStore } from "../ports.js";
import type { MirrorStatus } from "../types.js";
import { mirrorFromRow, mirrorStatusFromRow, mirrorToRow, outboxFromRow } from "../sql/rows.js";
import type { MirrorsTable, OutboxTable } from "../sql/schema.js";
import type { Db, Sql } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { list, MIRROR_COLUMNS, OUTBOX_COLUMNS } from "./columns.js";

/** An outbox row (params: mirror, fqdn, type, ttl, values, created at); a null ttl and values: a delete. */
export const INSERT_OUTBOX =
  "insert into outbox (mirror, fqdn, type, ttl, values_json, created_at) values ($1, $2, $3, $4, $5, $6)";

/** The ids of the zone's mirrors, in id order. */
export async function mirrorIds(sql: Sql, zone: string): Promise<string[]> {
  return (await sql.all<{ id: string }>("select id from mirrors where zone = $1 order by id", zone)).map(
    (r) => r.id,
  );
}

/** The ids of the mirrors of each zone named, in id order (zones without one absent), in one statement. */
export async function mirrorIdsOfZones(sql: Sql, zones: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await sql.all<{ zone: string; id: string }>(
    "select zone, id from mirrors where zone = any($1) order by id",
    zones,
  );
  const byZone = new Map<string, string[]>();
  for (const r of rows) byZone.set(r.zone, [...(byZone.get(r.zone) ?? []), r.id]);
  return byZone;
}

/** Delete rows for every set `fqdn` holds now; call inside the transaction, before the sets go. */
export async function enqueueHostDelete(sql: Sql, fqdn: string, zone: string, at: number): Promise<void> {
  const mirrors = await mirrorIds(sql, zone);
  if (mirrors.length === 0) return;
  for (const { type } of await sql.all<{ type: string }>(
    "select type from rrsets where fqdn = $1 order by type",
    fqdn,
  ))
    for (const mirror of mirrors) await sql.run(INSERT_OUTBOX, mirror, fqdn, type, null, null, at);
}

/** Deletes the zone's mirrors with their outbox rows; call inside the transaction, before the zone goes. */
export async function dropZoneMirrors(sql: Sql, zone: string): Promise<void> {
  await sql.run("delete from outbox where mirror in (select id from mirrors where zone = $1)", zone);
  await sql.run("delete from mirrors where zone = $1", zone);
}

async function getMirror(sql: Sql, id: string) {
  const row = await sql.get<Selectable<MirrorsTable>>(
    `select ${list(MIRROR_COLUMNS)} from mirrors where id = $1`,
    id,
  );
  return row && mirrorFromRow(row);
}

/**
 * The mirror exists and, when `owner` is given, `owner` holds its lease. Locks the row until commit,
 * so no claim by another node can come between this check and the write it guards (`no key`: the
 * outbox inserts of commits, which only key-share the row, do not wait for it).
 */
async function holds(sql: Sql, mirror: string, owner: string | undefined): Promise<boolean> {
  const row = await sql.get<{ lease_owner: string | null }>(
    "select lease_owner from mirrors where id = $1 for no key update",
    mirror,
  );
  return row !== undefined && (owner === undefined || row.lease_owner === owner);
}

export function pgMirrors(db: Db): MirrorStore {
  return {
    createMirror(mirror) {
      return db.write("createMirror", async (sql) => {
        // `for share`: the zone cannot be deleted by another node before this commits.
        if ((await sql.get("select 1 from zones where name = $1 for share", mirror.zone)) === undefined)
          throw new BeaconError("zone_not_found", `zone ${mirror.zone} does not exist`);
        const row = mirrorToRow(mirror);
        try {
          await sql.run(
            "insert into mirrors (id, zone, provider, settings_json, created_at) values ($1, $2, $3, $4, $5)",
            row.id,
            row.zone,
            row.provider,
            row.settings_json,
            row.created_at,
          );
        } catch (e) {
          if (isUniqueViolation(e))
            throw new BeaconError("mirror_exists", `mirror ${mirror.id} already exists`);
          throw e;
        }
        return structuredClone(mirror);
      });
    },

    getMirror(id) {
      return db.read("getMirror", (sql) => getMirror(sql, id));
    },

    listMirrors(zone) {
      return db.read("listMirrors", async (sql) => {
        const rows =
          zone === undefined
            ? await sql.all<Selectable<MirrorsTable>>(
                `select ${list(MIRROR_COLUMNS)} from mirrors order by id`,
              )
            : await sql.all<Selectable<MirrorsTable>>(
                `select ${list(MIRROR_COLUMNS)} from mirrors where zone = $1 order by id`,
                zone,
              );
        return rows.map(mirrorFromRow);
      });
    },

    deleteMirror(id) {
      return db.write("deleteMirror", async (sql) => {
        await sql.run("delete from outbox where mirror = $1", id);
        return (await sql.run("delete from mirrors where id = $1", id)) > 0;
      });
    },

    enqueueResync(id, at) {
      return db.write("enqueueResync", async (sql) => {
        const mirror = await getMirror(sql, id);
        if (mirror === undefined) throw new BeaconError("mirror_not_found", `mirror ${id} does not exist`);
        return sql.run(
          "insert into outbox (mirror, fqdn, type, ttl, values_json, created_at) " +
            "select $1, r.fqdn, r.type, r.ttl, r.values_json, $2 from rrsets r join hosts h on h.fqdn = r.fqdn " +
            "where h.zone = $3 order by r.fqdn, r.type",
          id,
          at,
          mirror.zone,
        );
      });
    },

    pendingOutbox(mirror, limit) {
      return db.read("pendingOutbox", async (sql) =>
        (
          await sql.all<Selectable<OutboxTable>>(
            `select ${list(OUTBOX_COLUMNS)} from outbox where mirror = $1 order by seq limit $2`,
            mirror,
            Math.max(0, Math.floor(limit)),
          )
        ).map(outboxFromRow),
      );
    },

    claimMirror(mirror, owner, now, leaseMs) {
      return db.write(
        "claimMirror",
        async (sql) =>
          (await sql.run(
            "update mirrors set lease_owner = $1, lease_until = $2 where id = $3 and " +
              "(lease_owner is null or lease_owner = $1 or lease_until <= $4)",
            owner,
            now + leaseMs,
            mirror,
            now,
          )) > 0,
      );
    },

    releaseMirror(mirror, owner) {
      return db.write("releaseMirror", async (sql) => {
        await sql.run(
          "update mirrors set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2",
          mirror,
          owner,
        );
      });
    },

    ackOutbox(mirror, seqs, at, outcome = "delivered", owner) {
      return db.write("ackOutbox", async (sql) => {
        if (!(await holds(sql, mirror, owner))) return false;
        const removed = await sql.run("delete from outbox where mirror = $1 and seq = any($2)", mirror, [
          ...seqs,
        ]);
        if (outcome === "skipped")
          await sql.run("update mirrors set skipped = skipped + $1 where id = $2", removed, mirror);
        else
          await sql.run(
            "update mirrors set delivered = delivered + $1, last_success_at = $2, attempts = 0, " +
              "last_error_code = null, last_error_message = null, last_error_at = null, next_try_at = null " +
              "where id = $3",
            removed,
            at,
            mirror,
          );
        return true;
      });
    },

    failMirror(mirror, f, owner) {
      return db.write("failMirror", async (sql) => {
        if (!(await holds(sql, mirror, owner))) return false;
        await sql.run(
          "update mirrors set attempts = attempts + 1, last_error_code = $1, last_error_message = $2, " +
            "last_error_at = $3, next_try_at = $4 where id = $5",
          f.code,
          f.message,
          f.at,
          f.nextTryAt,
          mirror,
        );
        return true;
      });
    },

    mirrorStatus() {
      return db.read(
        "mirrorStatus",
        async (sql): Promise<MirrorStatus[]> => {
          const counts = new Map(
            (
              await sql.all<{ mirror: string; n: number; oldest: number | null }>(
                "select mirror, count(*) as n, min(created_at) as oldest from outbox group by mirror",
              )
            ).map((c) => [c.mirror, c]),
          );
          return (
            await sql.all<Selectable<MirrorsTable>>(`select ${list(MIRROR_COLUMNS)} from mirrors order by id`)
          ).map((m) => {
            const c = counts.get(m.id);
            return mirrorStatusFromRow(m, c?.n ?? 0, c?.oldest ?? null);
          });
        },
        true,
      );
    },
  };
}
