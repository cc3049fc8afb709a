// ChangeFeed in PostgreSQL, as sqlite/changes.ts: the change log (migrations/0007_change_log.ts,
// 0011_change_values.ts, written by triggers in the writing transaction) read and pruned, a zone's
// entries read as the IXFR journal. A delta's rows and the state it reads (and a zone's entries) are
// one read-only snapshot. Positions: changeSeq is the largest seq committed (pruning always
// keeps the newest row, so it never goes back); gaps (left by rolled-back transactions before 0008)
// are never mistaken for pruning (the oldest kept row says where the log starts).
// Safe for several nodes: seqs are handed out in commit order (migrations/0008_change_order.ts: the
// trigger draws them from a counter row locked until commit, which serialises transactions that
// change zones, hosts or record sets from their first change to their commit), so a snapshot that
// sees seq n sees every seq below it, and a reader that moves its position to n skips nothing.
// externalVersion is the newest seq written by anyone but this store (changes.writer, set by db.ts):
// it reads back from the newest row until it finds one, so it costs the run of this store's own latest
// changes (bounded by pruning).

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
import { hostFromRow, rrsetFromRow, zoneFromRow } from "../sql/rows.js";
import type { HostsTable, RRSetsTable, ZonesTable } from "../sql/schema.js";
import type { Db, Sql } from "./db.js";
import { HOST_COLUMNS, list, RRSET_COLUMNS, ZONE_COLUMNS } from "./columns.js";

/** The newest position committed and the oldest kept (last + 1 when the log is empty). */
async function bounds(sql: Sql): Promise<{ last: number; first: number }> {
  const row = await sql.get<{ last: number | null; first: number | null }>(
    "select max(seq) as last, min(seq) as first from changes",
  );
  const last = row?.last ?? 0;
  return { last, first: row?.first ?? last + 1 };
}

export function pgChanges(db: Db): ChangeFeed {
  return {
    externalVersion() {
      return db.read(
        "externalVersion",
        async (sql) =>
          (
            await sql.get<{ v: number | null }>(
              "select max(seq) as v from (select seq from changes where writer is distinct from $1 " +
                "order by seq desc limit 1) c",
              db.writer,
            )
          )?.v ?? 0,
      );
    },

    changeSeq() {
      return db.read("changeSeq", async (sql) => (await bounds(sql)).last);
    },

    changesSince(after, limit) {
      return db.read(
        "changesSince",
        async (sql) => {
          const { last, first } = await bounds(sql);
          if (after > last || after < first - 1 || last - after > limit) return undefined;
          const touched = touchedBy(
            await sql.all<ChangeRow>("select zone, fqdn, op from changes where seq > $1 order by seq", after),
          );
          const hosts = (
            await sql.all<Selectable<HostsTable>>(
              `select ${list(HOST_COLUMNS)} from hosts where fqdn = any($1)`,
              [...touched.hosts.keys()],
            )
          ).map(hostFromRow);
          const rrsets = await sql.all<Selectable<RRSetsTable>>(
            `select ${list(RRSET_COLUMNS)} from rrsets where fqdn = any($1)`,
            hosts.map((h) => h.fqdn),
          );
          const zoneNames = zonesToRead(touched, hosts);
          const zones = await sql.all<Selectable<ZonesTable>>(
            `select ${list(ZONE_COLUMNS)} from zones where name = any($1)`,
            [...zoneNames],
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
        async (sql) => {
          const from = (
            await sql.get<{ seq: number | null }>(
              "select max(seq) as seq from changes where zone = $1 and fqdn is null and serial = $2",
              zone,
              serial,
            )
          )?.seq;
          if (from == null) return undefined;
          if (
            (await sql.get("select 1 from changes where zone is null and seq > $1 limit 1", from)) !==
            undefined
          )
            return undefined;
          const rows = await sql.all<ZoneLogRow>(
            "select seq, fqdn, old_value, new_value from changes where zone = $1 and seq >= $2 " +
              "and (fqdn is null or type is not null) order by seq limit $3",
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
        async (sql) => {
          const row = await sql.get<{ seq: number | string | null }>(ZONE_LIST_SEQ);
          const zones = await sql.all<{ name: string; created_at: number | string }>(
            "select name, created_at from zones",
          );
          return {
            seq:
              row?.seq === null || row?.seq === undefined ? (await bounds(sql)).first - 1 : Number(row.seq),
            zones: zones.map((z) => ({ name: z.name, createdAt: Number(z.created_at) })),
          };
        },
        true,
      );
    },

    pruneChanges(keep, limit) {
      return db.write("pruneChanges", async (sql) => {
        const { last, first } = await bounds(sql);
        const upTo = Math.min(last - Math.max(1, keep), first - 1 + Math.max(0, limit));
        return upTo < first ? 0 : sql.run("delete from changes where seq <= $1", upTo);
      });
    },
  };
}
