// ChangeFeed in PostgreSQL, as sqlite/changes.ts: the change log (migrations/0007_change_log.ts,
// written by triggers in the writing transaction) read and pruned. A delta's rows and the state it
// reads are one read-only snapshot. Positions: changeSeq is the largest seq committed (pruning always
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

import { assembleDelta, touchedBy, type ChangeRow, ZONE_LIST_SEQ, zonesToRead } from "../change-log.js";
import type { ChangeFeed } from "../ports.js";
import { hostFromRow, rrsetFromRow, zoneFromRow } from "../sql/rows.js";
import type { HostsTable, RRSetsTable, ZonesTable } from "../sql/schema.js";
import type { Db, Sql } from "./db.js";

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
            await sql.all<Selectable<HostsTable>>("select * from hosts where fqdn = any($1)", [
              ...touched.hosts.keys(),
            ])
          ).map(hostFromRow);
          const rrsets = await sql.all<Selectable<RRSetsTable>>(
            "select * from rrsets where fqdn = any($1)",
            hosts.map((h) => h.fqdn),
          );
          const zoneNames = zonesToRead(touched, hosts);
          const zones = await sql.all<Selectable<ZonesTable>>("select * from zones where name = any($1)", [
            ...zoneNames,
          ]);
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
