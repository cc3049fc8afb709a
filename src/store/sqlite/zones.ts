// ZoneStore in SQLite: zones, hosts, record sets, the commit (update-path.ts) and the snapshot. Every
// method is one statement or one transaction on the adapter's connection (db.ts). Host ids come from
// counters.host_id, so an id is never given twice even after its host is deleted. Deleting a host or a
// zone revokes the tokens made for its hosts and queues the mirrors' deletes in the same transaction.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import { initialSerial, nextSerial } from "../../core/serial.js";
import type { Zone } from "../../core/zones.js";
import type { ZoneStore } from "../ports.js";
import type { Host, NewHost, Snapshot, ZoneUpdate } from "../types.js";
import { applyZoneUpdate } from "../zone-update.js";
import { jsonList, named, type Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { dropZoneMirrors, enqueueHostDelete } from "./mirrors.js";
import { hostFromRow, hostToRow, rrsetFromRow, zoneFromRow, zoneToRow } from "../sql/rows.js";
import type { HostsTable, RRSetsTable, ZonesTable } from "../sql/schema.js";
import { commit } from "./update-path.js";

const ZONE_COLUMNS =
  "name, serial, ttl, mname, rname, refresh, retry, expire, minimum, nameservers_json, created_at";
const ZONE_SET = ZONE_COLUMNS.replace(/(\w+)/g, "$1 = @$1");
const HOST_COLUMNS = "id, fqdn, zone, ttl, description, created_at, implicit";

/** Revokes, at `at`, the unrevoked tokens made for these hosts (update-path.ts does it for its own). */
function revokeHostTokens(db: Db, hostIds: readonly number[], at: number): void {
  db.run(
    "update tokens set revoked_at = ? where host_id in (select value from json_each(?)) and revoked_at is null",
    at,
    jsonList(hostIds),
  );
}

function advanceSerial(db: Db, zone: string): void {
  const row = db.get<{ serial: number }>("select serial from zones where name = ?", zone);
  db.run("update zones set serial = ? where name = ?", nextSerial(row!.serial), zone);
}

function zoneRow(db: Db, name: string): Selectable<ZonesTable> | undefined {
  return db.get("select * from zones where name = ?", name);
}

export function sqliteZones(db: Db): ZoneStore {
  return {
    createZone(zone) {
      const stored: Zone = { ...zone, serial: zone.serial ?? initialSerial(zone.createdAt) };
      return db.write("createZone", () => {
        try {
          db.run(`insert into zones (${ZONE_COLUMNS}) values (${named(ZONE_COLUMNS)})`, zoneToRow(stored));
        } catch (e) {
          if (isUniqueViolation(e)) throw new BeaconError("zone_exists", `zone ${zone.name} already exists`);
          throw e;
        }
        return structuredClone(stored);
      });
    },

    getZone(name) {
      return db.read("getZone", () => {
        const row = zoneRow(db, name);
        return row && zoneFromRow(row);
      });
    },

    listZones() {
      return db.read("listZones", () =>
        db.all<Selectable<ZonesTable>>("select * from zones order by name").map(zoneFromRow),
      );
    },

    updateZone(name: string, change: ZoneUpdate) {
      return db.write("updateZone", () => {
        const row = zoneRow(db, name);
        if (row === undefined) throw new BeaconError("zone_not_found", `zone ${name} does not exist`);
        const before = zoneFromRow(row);
        const after = applyZoneUpdate(before, change);
        if (after === before) return before;
        db.run(`update zones set ${ZONE_SET} where name = @name`, zoneToRow(after));
        return after;
      });
    },

    deleteZone(name, opts) {
      return db.write("deleteZone", () => {
        if (zoneRow(db, name) === undefined) return false;
        const ids = db.all<{ id: number }>("select id from hosts where zone = ?", name).map((h) => h.id);
        if (ids.length > 0 && opts?.cascade !== true) {
          throw new BeaconError("zone_not_empty", `zone ${name} still has ${ids.length} host(s)`);
        }
        db.run("delete from rrsets where fqdn in (select fqdn from hosts where zone = ?)", name);
        revokeHostTokens(db, ids, Date.now());
        db.run("delete from hosts where zone = ?", name);
        db.run("delete from history where zone = ?", name);
        dropZoneMirrors(db, name);
        db.run("delete from zones where name = ?", name);
        return true;
      });
    },

    createHost(input: NewHost) {
      return db.write("createHost", () => {
        if (zoneRow(db, input.zone) === undefined)
          throw new BeaconError("zone_not_found", `zone ${input.zone} does not exist`);
        const { value: id } = db.get<{ value: number }>(
          "update counters set value = value + 1 where name = 'host_id' returning value",
        )!;
        const host: Host = { ...structuredClone(input), id, implicit: input.implicit ?? false };
        try {
          db.run(`insert into hosts (${HOST_COLUMNS}) values (${named(HOST_COLUMNS)})`, hostToRow(host));
        } catch (e) {
          if (isUniqueViolation(e)) throw new BeaconError("host_exists", `host ${host.fqdn} already exists`);
          throw e;
        }
        advanceSerial(db, host.zone);
        return host;
      });
    },

    getHost(fqdn) {
      return db.read("getHost", () => {
        const row = db.get<Selectable<HostsTable>>("select * from hosts where fqdn = ?", fqdn);
        return row && hostFromRow(row);
      });
    },

    listHosts(zone) {
      return db.read("listHosts", () => {
        const rows =
          zone === undefined
            ? db.all<Selectable<HostsTable>>("select * from hosts order by fqdn")
            : db.all<Selectable<HostsTable>>("select * from hosts where zone = ? order by fqdn", zone);
        return rows.map(hostFromRow);
      });
    },

    deleteHost(fqdn, at = Date.now()) {
      return db.write("deleteHost", () => {
        const host = db.get<{ id: number; zone: string }>("select id, zone from hosts where fqdn = ?", fqdn);
        if (host === undefined) return false;
        enqueueHostDelete(db, fqdn, host.zone, at);
        db.run("delete from rrsets where fqdn = ?", fqdn);
        db.run("delete from hosts where fqdn = ?", fqdn);
        revokeHostTokens(db, [host.id], at);
        advanceSerial(db, host.zone);
        return true;
      });
    },

    getRRSets(fqdn) {
      return db.read("getRRSets", () =>
        db
          .all<Selectable<RRSetsTable>>("select * from rrsets where fqdn = ? order by type", fqdn)
          .map(rrsetFromRow),
      );
    },

    commit(batch) {
      return db.write("commit", () => commit(db, batch));
    },

    snapshot() {
      return db.read(
        "snapshot",
        (): Snapshot => ({
          zones: db.all<Selectable<ZonesTable>>("select * from zones order by name").map(zoneFromRow),
          hosts: db.all<Selectable<HostsTable>>("select * from hosts order by fqdn").map(hostFromRow),
          rrsets: db
            .all<Selectable<RRSetsTable>>("select * from rrsets order by fqdn, type")
            .map((r) => ({ fqdn: r.fqdn, ...rrsetFromRow(r) })),
        }),
        true,
      );
    },
  };
}
