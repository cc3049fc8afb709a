// MirrorStore in SQLite: mirror targets and their outbox. A row exists in the outbox exactly when its
// change committed: the commit writes its own rows (update-path.ts), and deleteHost / deleteZone call
// enqueueHostDelete / dropZoneMirrors inside their transaction (zones.ts).

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { MirrorStore } from "../ports.js";
import type { MirrorStatus } from "../types.js";
import { jsonList, type Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { mirrorFromRow, mirrorStatusFromRow, mirrorToRow, outboxFromRow } from "../sql/rows.js";
import type { MirrorsTable, OutboxTable } from "../sql/schema.js";

/** An outbox row (params: mirror, fqdn, type, ttl, values, created at); a null ttl and values: a delete. */
const INSERT_OUTBOX =
  "insert into outbox (mirror, fqdn, type, ttl, values_json, created_at) values (?, ?, ?, ?, ?, ?)";

function mirrorIds(db: Db, zone: string): string[] {
  return db.all<{ id: string }>("select id from mirrors where zone = ? order by id", zone).map((r) => r.id);
}

/** Delete rows for every set `fqdn` holds now; call inside the transaction, before the sets go. */
export function enqueueHostDelete(db: Db, fqdn: string, zone: string, at: number): void {
  const mirrors = mirrorIds(db, zone);
  if (mirrors.length === 0) return;
  for (const { type } of db.all<{ type: string }>(
    "select type from rrsets where fqdn = ? order by type",
    fqdn,
  ))
    for (const mirror of mirrors) db.run(INSERT_OUTBOX, mirror, fqdn, type, null, null, at);
}

/** Deletes the zone's mirrors with their outbox rows; call inside the transaction, before the zone goes. */
export function dropZoneMirrors(db: Db, zone: string): void {
  db.run("delete from outbox where mirror in (select id from mirrors where zone = ?)", zone);
  db.run("delete from mirrors where zone = ?", zone);
}

function getMirror(db: Db, id: string) {
  const row = db.get<Selectable<MirrorsTable>>("select * from mirrors where id = ?", id);
  return row && mirrorFromRow(row);
}

/** The mirror exists and, when `owner` is given, `owner` holds its lease: the fence of delivery records. */
function holds(db: Db, mirror: string, owner: string | undefined): boolean {
  const row = db.get<{ lease_owner: string | null }>("select lease_owner from mirrors where id = ?", mirror);
  return row !== undefined && (owner === undefined || row.lease_owner === owner);
}

export function sqliteMirrors(db: Db): MirrorStore {
  return {
    createMirror(mirror) {
      return db.write("createMirror", () => {
        if (db.get("select 1 from zones where name = ?", mirror.zone) === undefined)
          throw new BeaconError("zone_not_found", `zone ${mirror.zone} does not exist`);
        try {
          db.run(
            "insert into mirrors (id, zone, provider, settings_json, created_at) " +
              "values (@id, @zone, @provider, @settings_json, @created_at)",
            mirrorToRow(mirror),
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
      return db.read("getMirror", () => getMirror(db, id));
    },

    listMirrors(zone) {
      return db.read("listMirrors", () => {
        const rows =
          zone === undefined
            ? db.all<Selectable<MirrorsTable>>("select * from mirrors order by id")
            : db.all<Selectable<MirrorsTable>>("select * from mirrors where zone = ? order by id", zone);
        return rows.map(mirrorFromRow);
      });
    },

    deleteMirror(id) {
      return db.write("deleteMirror", () => {
        db.run("delete from outbox where mirror = ?", id);
        return db.run("delete from mirrors where id = ?", id) > 0;
      });
    },

    enqueueResync(id, at) {
      return db.write("enqueueResync", () => {
        const mirror = getMirror(db, id);
        if (mirror === undefined) throw new BeaconError("mirror_not_found", `mirror ${id} does not exist`);
        return db.run(
          "insert into outbox (mirror, fqdn, type, ttl, values_json, created_at) " +
            "select ?, r.fqdn, r.type, r.ttl, r.values_json, ? from rrsets r join hosts h on h.fqdn = r.fqdn " +
            "where h.zone = ? order by r.fqdn, r.type",
          id,
          at,
          mirror.zone,
        );
      });
    },

    pendingOutbox(mirror, limit) {
      return db.read("pendingOutbox", () =>
        db
          .all<Selectable<OutboxTable>>(
            "select * from outbox where mirror = ? order by seq limit ?",
            mirror,
            Math.max(0, Math.floor(limit)),
          )
          .map(outboxFromRow),
      );
    },

    claimMirror(mirror, owner, now, leaseMs) {
      return db.write(
        "claimMirror",
        () =>
          db.run(
            "update mirrors set lease_owner = ?, lease_until = ? where id = ? and " +
              "(lease_owner is null or lease_owner = ? or lease_until <= ?)",
            owner,
            now + leaseMs,
            mirror,
            owner,
            now,
          ) > 0,
      );
    },

    releaseMirror(mirror, owner) {
      return db.write("releaseMirror", () => {
        db.run(
          "update mirrors set lease_owner = null, lease_until = null where id = ? and lease_owner = ?",
          mirror,
          owner,
        );
      });
    },

    ackOutbox(mirror, seqs, at, outcome = "delivered", owner) {
      return db.write("ackOutbox", () => {
        if (!holds(db, mirror, owner)) return false;
        const removed = db.run(
          "delete from outbox where mirror = ? and seq in (select value from json_each(?))",
          mirror,
          jsonList(seqs),
        );
        if (outcome === "skipped")
          db.run("update mirrors set skipped = skipped + ? where id = ?", removed, mirror);
        else
          db.run(
            "update mirrors set delivered = delivered + ?, last_success_at = ?, attempts = 0, " +
              "last_error_code = null, last_error_message = null, last_error_at = null, next_try_at = null " +
              "where id = ?",
            removed,
            at,
            mirror,
          );
        return true;
      });
    },

    failMirror(mirror, f, owner) {
      return db.write("failMirror", () => {
        if (!holds(db, mirror, owner)) return false;
        db.run(
          "update mirrors set attempts = attempts + 1, last_error_code = ?, last_error_message = ?, " +
            "last_error_at = ?, next_try_at = ? where id = ?",
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
        (): MirrorStatus[] => {
          const counts = new Map(
            db
              .all<{ mirror: string; n: number; oldest: number | null }>(
                "select mirror, count(*) as n, min(created_at) as oldest from outbox group by mirror",
              )
              .map((c) => [c.mirror, c]),
          );
          return db.all<Selectable<MirrorsTable>>("select * from mirrors order by id").map((m) => {
            const c = counts.get(m.id);
            return mirrorStatusFromRow(m, c?.n ?? 0, c?.oldest ?? null);
          });
        },
        true,
      );
    },
  };
}
