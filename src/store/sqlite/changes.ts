// ChangeFeed in SQLite: the change log (migrations/0007_change_log.ts, 0011_change_values.ts, written
// by triggers in the writing transaction) read and pruned, a zone's entries read as the IXFR journal,
// and data_version for changes made by other processes. A delta's rows and the state it reads (and a
// zone's entries) are one read transaction: one consistent view.

import type { Selectable } from "kysely";

import {
  assembleDelta,
  touchedBy,
  zoneLogEntry,
  zonesToRead,
  type ChangeRow,
  type ZoneLogRow,
  ZONE_LIST_SEQ,
} from "../change-log.js";
import type { ChangeFeed } from "../ports.js";
import { jsonList, type Db } from "./db.js";
import { hostFromRow, rrsetFromRow, zoneFromRow } from "../sql/rows.js";
import type { HostsTable, RRSetsTable, ZonesTable } from "../sql/schema.js";

/** The newest position ever given (kept by AUTOINCREMENT even when the rows are pruned), and the oldest kept. */
function bounds(db: Db): { last: number; first: number } {
  const row = db.get<{ last: number | null; first: number | null }>(
    "select (select seq from sqlite_sequence where name = 'changes') as last, " +
      "(select min(seq) from changes) as first",
  );
  const last = row?.last ?? 0;
  return { last, first: row?.first ?? last + 1 };
}

export function sqliteChanges(db: Db): ChangeFeed {
  return {
    // data_version changes only when another connection commits, so our own writes never make a
    // running server reload what it already knows.
    externalVersion() {
      return db.read("externalVersion", () => {
        const v = db.get<{ data_version: unknown }>("pragma data_version")?.data_version;
        if (typeof v !== "number") throw new Error("pragma data_version returned no number");
        return v;
      });
    },

    changeSeq() {
      return db.read("changeSeq", () => bounds(db).last);
    },

    changesSince(after, limit) {
      return db.read(
        "changesSince",
        () => {
          const { last, first } = bounds(db);
          if (after > last || after < first - 1 || last - after > limit) return undefined;
          const touched = touchedBy(
            db.all<ChangeRow>("select zone, fqdn, op from changes where seq > ? order by seq", after),
          );
          const hosts = db
            .all<Selectable<HostsTable>>(
              "select * from hosts where fqdn in (select value from json_each(?))",
              jsonList([...touched.hosts.keys()]),
            )
            .map(hostFromRow);
          const rrsets = db.all<Selectable<RRSetsTable>>(
            "select * from rrsets where fqdn in (select value from json_each(?))",
            jsonList(hosts.map((h) => h.fqdn)),
          );
          const zoneNames = zonesToRead(touched, hosts);
          const zones = db.all<Selectable<ZonesTable>>(
            "select * from zones where name in (select value from json_each(?))",
            jsonList([...zoneNames]),
          );
          return assembleDelta({
            seq: last,
            touched,
            hosts,
            rrsets: rrsets.map((r) => ({ fqdn: r.fqdn, ...rrsetFromRow(r) })),
            zoneNames,
            zones: zones.map(zoneFromRow),
          });
        },
        true,
      );
    },

    zoneLog(zone, serial, limit) {
      return db.read(
        "zoneLog",
        () => {
          const from = db.get<{ seq: number | null }>(
            "select max(seq) as seq from changes where zone = ? and fqdn is null and serial = ?",
            zone,
            serial,
          )?.seq;
          if (from == null) return undefined;
          if (db.get("select 1 from changes where zone is null and seq > ? limit 1", from) !== undefined)
            return undefined;
          const rows = db.all<ZoneLogRow>(
            "select seq, fqdn, old_value, new_value from changes where zone = ? and seq >= ? " +
              "and (fqdn is null or type is not null) order by seq limit ?",
            zone,
            from,
            Math.max(0, limit) + 2,
          );
          return rows.length > limit + 1 ? undefined : rows.map(zoneLogEntry);
        },
        true,
      );
    },

    zoneList() {
      return db.read(
        "zoneList",
        () => {
          const row = db.get<{ seq: number | null }>(ZONE_LIST_SEQ);
          const zones = db.all<{ name: string; created_at: number }>("select name, created_at from zones");
          return {
            seq: row?.seq ?? bounds(db).first - 1,
            zones: zones.map((z) => ({ name: z.name, createdAt: z.created_at })),
          };
        },
        true,
      );
    },

    pruneChanges(keep, limit) {
      return db.write("pruneChanges", () => {
        const { last, first } = bounds(db);
        const upTo = Math.min(last - Math.max(1, keep), first - 1 + Math.max(0, limit));
        return upTo < first ? 0 : db.run("delete from changes where seq <= ?", upTo);
      });
    },
  };
}
