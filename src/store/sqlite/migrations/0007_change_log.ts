// The change log: one row per change to a zone, a host or a record set, appended by triggers in the
// same transaction as the change, so every writer logs (this server, an admin command in another
// process, any later code) and a change that did not commit leaves no row. A running server reads the
// rows after its position to apply only what another process changed (Store.changesSince), instead of
// reloading everything; it is also the seed of the IXFR journal and the PostgreSQL change feed.
//
// Rows: seq (AUTOINCREMENT: never reused, so a position stays meaningful after pruning), zone (null
// only for a record set deleted after its host, by cascade), fqdn (null: the zone itself), op
// (insert/update/delete), at (ms since the epoch). The server prunes the oldest rows.
//
// A migration that rebuilds zones, hosts or rrsets (create-copy-drop-rename) first drops every one of
// these triggers (dropChangeTriggers: SQLite re-checks all triggers on RENAME, and the rrsets ones
// name hosts, missing mid-rebuild), and creates them again at the end (createChangeTriggers).

import { sql, type Kysely, type Migration } from "kysely";

const NOW_MS = "cast((julianday('now') - 2440587.5) * 86400000 as integer)";
const HOST_ZONE = (row: "new" | "old") => `(select zone from hosts where fqdn = ${row}.fqdn)`;

/** table → [zone expression, fqdn expression] for a row of it (`r` is new or old). */
const LOGGED: Readonly<Record<string, (r: "new" | "old") => readonly [string, string]>> = {
  zones: (r) => [`${r}.name`, "null"],
  hosts: (r) => [`${r}.zone`, `${r}.fqdn`],
  rrsets: (r) => [HOST_ZONE(r), `${r}.fqdn`],
};

const OPS = [
  ["insert", "new"],
  ["update", "new"],
  ["delete", "old"],
] as const;

/** Creates the three triggers (insert, update, delete) of each logged table. */
export async function createChangeTriggers<DB>(db: Kysely<DB>): Promise<void> {
  for (const [table, columns] of Object.entries(LOGGED)) {
    for (const [op, row] of OPS) {
      const [zone, fqdn] = columns(row);
      await sql
        .raw(
          `create trigger ${table}_${op}_logged after ${op} on ${table} begin ` +
            `insert into changes (zone, fqdn, op, at) values (${zone}, ${fqdn}, '${op}', ${NOW_MS}); end`,
        )
        .execute(db);
    }
  }
}

/** Drops what createChangeTriggers created (before a migration rebuilds a logged table). */
export async function dropChangeTriggers<DB>(db: Kysely<DB>): Promise<void> {
  for (const table of Object.keys(LOGGED))
    for (const [op] of OPS) await sql.raw(`drop trigger if exists ${table}_${op}_logged`).execute(db);
}

export const changeLog: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("changes")
      .addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement())
      .addColumn("zone", "text")
      .addColumn("fqdn", "text")
      .addColumn("op", "text", (c) => c.notNull())
      .addColumn("at", "integer", (c) => c.notNull())
      .execute();
    await createChangeTriggers(db);
  },
};
