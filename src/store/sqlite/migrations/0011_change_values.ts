// 0011_change_values: the change log also carries what changed, so it is the durable IXFR journal
// (ChangeFeed.zoneLog; dns/xfr/log-diffs.ts turns it into RFC 1995 diffs): after a restart, or on a
// node that applied several commits at once, IXFR still sends only the difference.
//
// New columns, written by the same triggers in the same transaction as the change (so every writer
// logs them: this server, an admin command in another process, any later code):
// - type: the record type of a record-set row (null for zone and host rows);
// - serial: the zone's serial after a zone row's change (null for a deleted zone and other rows);
// - old_value, new_value: the row before and after, as JSON text with the table's column names (a
//   zone: every zones column; a record set: fqdn, type, ttl, values_json, updated_at), read back with
//   sql/rows.ts (zoneFromRow, rrsetFromRow); null when the row did not exist before / after. Host rows
//   carry none: a host's records are its sets' rows.
// Rows logged before this migration have none of them; a reader never needs them, as IXFR reads only
// the rows after a zone row with a serial (written after this migration).
// Indexes: (zone, seq) for a zone's rows; the rows with no zone (a set deleted by cascade after its
// host, which no Beacon path does) by seq, so a reader can see cheaply that its range holds one.
//
// The triggers replace 0007's (drop, then create with the same names). A later migration that
// rebuilds zones, hosts or rrsets must drop and create them with this file's functions.

import { sql, type Kysely, type Migration } from "kysely";

import { dropChangeTriggers } from "./0007_change_log.js";

const NOW_MS = "cast((julianday('now') - 2440587.5) * 86400000 as integer)";

const ZONE_COLUMNS = [
  "name",
  "serial",
  "ttl",
  "mname",
  "rname",
  "refresh",
  "retry",
  "expire",
  "minimum",
  "nameservers_json",
  "created_at",
];
const RRSET_COLUMNS = ["fqdn", "type", "ttl", "values_json", "updated_at"];

const json = (r: string, columns: readonly string[]) =>
  `json_object(${columns.map((c) => `'${c}', ${r}.${c}`).join(", ")})`;

interface Logged {
  readonly zone: string;
  readonly fqdn: string;
  readonly type: string;
  readonly serial: string;
  readonly value: string;
}

/** table → the columns of its log row for a row `r` of it (new or old). */
const LOGGED: Readonly<Record<string, (r: "new" | "old") => Logged>> = {
  zones: (r) => ({
    zone: `${r}.name`,
    fqdn: "null",
    type: "null",
    serial: r === "new" ? "new.serial" : "null",
    value: json(r, ZONE_COLUMNS),
  }),
  hosts: (r) => ({ zone: `${r}.zone`, fqdn: `${r}.fqdn`, type: "null", serial: "null", value: "null" }),
  rrsets: (r) => ({
    zone: `(select zone from hosts where fqdn = ${r}.fqdn)`,
    fqdn: `${r}.fqdn`,
    type: `${r}.type`,
    serial: "null",
    value: json(r, RRSET_COLUMNS),
  }),
};

const OPS = [
  ["insert", "new"],
  ["update", "new"],
  ["delete", "old"],
] as const;

/** Creates the three triggers (insert, update, delete) of each logged table, values included. */
export async function createChangeTriggers<DB>(db: Kysely<DB>): Promise<void> {
  for (const [table, columns] of Object.entries(LOGGED)) {
    for (const [op, row] of OPS) {
      const c = columns(row);
      const oldValue = op === "insert" ? "null" : columns("old").value;
      const newValue = op === "delete" ? "null" : columns("new").value;
      await sql
        .raw(
          `create trigger ${table}_${op}_logged after ${op} on ${table} begin ` +
            `insert into changes (zone, fqdn, op, at, type, serial, old_value, new_value) values ` +
            `(${c.zone}, ${c.fqdn}, '${op}', ${NOW_MS}, ${c.type}, ${c.serial}, ${oldValue}, ${newValue}); end`,
        )
        .execute(db);
    }
  }
}

export { dropChangeTriggers };

export const changeValues: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const column of ["type", "old_value", "new_value"])
      await db.schema.alterTable("changes").addColumn(column, "text").execute();
    await db.schema.alterTable("changes").addColumn("serial", "integer").execute();
    await sql`create index changes_zone_seq on changes (zone, seq)`.execute(db);
    await sql`create index changes_no_zone on changes (seq) where zone is null`.execute(db);
    await dropChangeTriggers(db);
    await createChangeTriggers(db);
  },
};
