// ZoneStore in PostgreSQL, as sqlite/zones.ts: zones, hosts, record sets, the commit (update-path.ts)
// and the snapshot. Every method is one statement or one transaction (db.ts). A transaction that
// changes a zone's content or serial locks the zone row first (zone-locks.ts): one writer per zone
// across nodes, and the same lock order everywhere. Host ids come from counters.host_id (an update
// that locks the row until commit), so an id is never given twice even after its host is deleted.
// Deleting a host or a zone revokes the tokens made for its hosts and queues the mirrors' deletes in
// the same transaction.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import { initialSerial, nextSerial } from "../../core/serial.js";
import type { Zone } from "../../core/zones.js";
import type { ZoneStore } from "../ports.js";
import type { Host, NewHost, Snapshot, ZoneUpdate } from "../types.js";
import { applyZoneUpdate } from "../zone-update.js";
import { hostFromRow, hostToRow, rrsetFromRow, zoneFromRow, zoneToRow } from "../sql/rows.js";
import type { HostsTable, RRSetsTable, ZonesTable } from "../sql/schema.js";
import type { Db, Sql } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { dropZoneMirrors, enqueueHostDelete } from "./mirrors.js";
import { commit } from "./update-path.js";
import { lockZones } from "./zone-locks.js";
import { HOST_COLUMNS, RRSET_COLUMNS, ZONE_COLUMNS, list } from "./columns.js";

const params = (n: number) => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(", ");
const INSERT_ZONE = `insert into zones (${ZONE_COLUMNS.join(", ")}) values (${params(ZONE_COLUMNS.length)})`;
const UPDATE_ZONE = `update zones set ${ZONE_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(", ")} where name = $1`;
const INSERT_HOST = `insert into hosts (${HOST_COLUMNS.join(", ")}) values (${params(HOST_COLUMNS.length)})`;

/** Revokes, at `at`, the unrevoked tokens made for these hosts (update-path.ts does it for its own). */
async function revokeHostTokens(sql: Sql, hostIds: readonly number[], at: number): Promise<void> {
  await sql.run("update tokens set revoked_at = $1 where host_id = any($2) and revoked_at is null", at, [
    ...hostIds,
  ]);
}

async function zoneRow(sql: Sql, name: string): Promise<Selectable<ZonesTable> | undefined> {
  return sql.get(`select ${list(ZONE_COLUMNS)} from zones where name = $1`, name);
}

/** Locks the zone (see the file's comment); zone_not_found when absent. Resolves with its serial. */
async function takeZone(sql: Sql, name: string): Promise<number> {
  const serial = (await lockZones(sql, [name])).get(name);
  if (serial === undefined) throw new BeaconError("zone_not_found", `zone ${name} does not exist`);
  return serial;
}

export function pgZones(db: Db): ZoneStore {
  return {
    createZone(zone) {
      const stored: Zone = { ...zone, serial: zone.serial ?? initialSerial(zone.createdAt) };
      return db.write("createZone", async (sql) => {
        const row = zoneToRow(stored);
        try {
          await sql.run(INSERT_ZONE, ...ZONE_COLUMNS.map((c) => row[c]));
        } catch (e) {
          if (isUniqueViolation(e)) throw new BeaconError("zone_exists", `zone ${zone.name} already exists`);
          throw e;
        }
        return structuredClone(stored);
      });
    },

    getZone(name) {
      return db.read("getZone", async (sql) => {
        const row = await zoneRow(sql, name);
        return row && zoneFromRow(row);
      });
    },

    listZones() {
      return db.read("listZones", async (sql) =>
        (await sql.all<Selectable<ZonesTable>>(`select ${list(ZONE_COLUMNS)} from zones order by name`)).map(
          zoneFromRow,
        ),
      );
    },

    updateZone(name: string, change: ZoneUpdate) {
      return db.write("updateZone", async (sql) => {
        await takeZone(sql, name);
        const before = zoneFromRow((await zoneRow(sql, name))!);
        const after = applyZoneUpdate(before, change);
        if (after === before) return before;
        const row = zoneToRow(after);
        await sql.run(UPDATE_ZONE, ...ZONE_COLUMNS.map((c) => row[c]));
        return after;
      });
    },

    deleteZone(name, opts) {
      return db.write("deleteZone", async (sql) => {
        if ((await lockZones(sql, [name])).size === 0) return false;
        const ids = (await sql.all<{ id: number }>("select id from hosts where zone = $1", name)).map(
          (h) => h.id,
        );
        if (ids.length > 0 && opts?.cascade !== true) {
          throw new BeaconError("zone_not_empty", `zone ${name} still has ${ids.length} host(s)`);
        }
        await sql.run("delete from rrsets where fqdn in (select fqdn from hosts where zone = $1)", name);
        await revokeHostTokens(sql, ids, Date.now());
        await sql.run("delete from hosts where zone = $1", name);
        await sql.run("delete from history where zone = $1", name);
        await dropZoneMirrors(sql, name);
        await sql.run("delete from zones where name = $1", name);
        return true;
      });
    },

    createHost(input: NewHost) {
      return db.write("createHost", async (sql) => {
        const serial = await takeZone(sql, input.zone);
        const { value: id } = (await sql.get<{ value: number }>(
          "update counters set value = value + 1 where name = 'host_id' returning value",
        ))!;
        const host: Host = { ...structuredClone(input), id, implicit: input.implicit ?? false };
        const row = hostToRow(host);
        try {
          await sql.run(INSERT_HOST, ...HOST_COLUMNS.map((c) => row[c]));
        } catch (e) {
          if (isUniqueViolation(e)) throw new BeaconError("host_exists", `host ${host.fqdn} already exists`);
          throw e;
        }
        await sql.run("update zones set serial = $1 where name = $2", nextSerial(serial), host.zone);
        return host;
      });
    },

    getHost(fqdn) {
      return db.read("getHost", async (sql) => {
        const row = await sql.get<Selectable<HostsTable>>(
          `select ${list(HOST_COLUMNS)} from hosts where fqdn = $1`,
          fqdn,
        );
        return row && hostFromRow(row);
      });
    },

    listHosts(zone) {
      return db.read("listHosts", async (sql) => {
        const rows =
          zone === undefined
            ? await sql.all<Selectable<HostsTable>>(`select ${list(HOST_COLUMNS)} from hosts order by fqdn`)
            : await sql.all<Selectable<HostsTable>>(
                `select ${list(HOST_COLUMNS)} from hosts where zone = $1 order by fqdn`,
                zone,
              );
        return rows.map(hostFromRow);
      });
    },

    deleteHost(fqdn, at = Date.now()) {
      return db.write("deleteHost", async (sql) => {
        const zone = (await sql.get<{ zone: string }>("select zone from hosts where fqdn = $1", fqdn))?.zone;
        if (zone === undefined) return false;
        const serial = await takeZone(sql, zone);
        // Read again under the zone's lock: another node may have deleted it meanwhile.
        const host = await sql.get<{ id: number }>("select id from hosts where fqdn = $1", fqdn);
        if (host === undefined) return false;
        await enqueueHostDelete(sql, fqdn, zone, at);
        await sql.run("delete from rrsets where fqdn = $1", fqdn);
        await sql.run("delete from hosts where fqdn = $1", fqdn);
        await revokeHostTokens(sql, [host.id], at);
        await sql.run("update zones set serial = $1 where name = $2", nextSerial(serial), zone);
        return true;
      });
    },

    getRRSets(fqdn) {
      return db.read("getRRSets", async (sql) =>
        (
          await sql.all<Selectable<RRSetsTable>>(
            `select ${list(RRSET_COLUMNS)} from rrsets where fqdn = $1 order by type`,
            fqdn,
          )
        ).map(rrsetFromRow),
      );
    },

    commit(batch) {
      return db.write("commit", (sql) => commit(sql, batch));
    },

    snapshot() {
      return db.read(
        "snapshot",
        async (sql): Promise<Snapshot> => ({
          zones: (
            await sql.all<Selectable<ZonesTable>>(`select ${list(ZONE_COLUMNS)} from zones order by name`)
          ).map(zoneFromRow),
          hosts: (
            await sql.all<Selectable<HostsTable>>(`select ${list(HOST_COLUMNS)} from hosts order by fqdn`)
          ).map(hostFromRow),
          rrsets: (
            await sql.all<Selectable<RRSetsTable>>(
              `select ${list(RRSET_COLUMNS)} from rrsets order by fqdn, type`,
            )
          ).map((r) => ({
            fqdn: r.fqdn,
            ...rrsetFromRow(r),
          })),
        }),
        true,
      );
    },
  };
}
