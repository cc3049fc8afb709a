// Brings a database's schema up to date. The contract every store's runner keeps (a PostgreSQL runner
// does the same, its DDL being transactional too):
// - Each pending migration runs in its own write transaction together with the row that records it
//   (kysely_migration, the table Kysely's migrator used before, so older databases read the same):
//   it commits whole or not at all. A failure half-way (disk full, power cut, a bug) leaves the
//   schema exactly as the last committed migration left it, and the next start runs it again.
// - Migrations run in name order. A database that recorded a migration this program does not know
//   (written by a newer Beacon), or that skipped one, is refused before anything changes.
// - Foreign keys are off while a migration runs, so a migration may rebuild a table (SQLite's
//   "12-step" ALTER) without DROP TABLE cascading into other tables; they are checked before the
//   commit, and a migration that leaves a dangling reference fails whole. Triggers on a rebuilt table
//   are dropped with it: the migration must create them again (see 0007_change_log.ts).
// - Two processes migrating at once are serialised by the write lock (BEGIN IMMEDIATE): the list of
//   applied migrations is read inside each transaction, so no migration runs twice.

import { sql, type Kysely, type Migration } from "kysely";

import { refuseUnknown } from "../migration-order.js";

export { MigrationRefused } from "../migration-order.js";

/** Where applied migrations are recorded (the name Kysely's Migrator used). */
const TABLE = "kysely_migration";

/**
 * Applies every migration of `migrations` (keyed by name) not yet recorded, one transaction each, and
 * resolves with the names applied, in order. Rejects with what a migration threw (the schema then is
 * exactly that of the migrations applied before it), or MigrationRefused for a database this program
 * must not touch. `db` must be a single-connection Kysely (pragmas are per connection).
 */
export async function migrate<DB>(
  db: Kysely<DB>,
  migrations: Readonly<Record<string, Migration>>,
): Promise<string[]> {
  const names = Object.keys(migrations).sort();
  const applied: string[] = [];
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    for (;;) {
      const next = await db.transaction().execute(async (trx) => {
        const done = await recorded(trx);
        refuseUnknown(done, names);
        const name = names[done.length];
        if (name === undefined) return undefined;
        await migrations[name]!.up(trx);
        await sql`insert into ${sql.table(TABLE)} (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(
          trx,
        );
        const dangling = await sql`pragma foreign_key_check`.execute(trx);
        if (dangling.rows.length > 0)
          throw new Error(
            `migration ${name} leaves ${dangling.rows.length} row(s) with a dangling reference`,
          );
        return name;
      });
      if (next === undefined) return applied;
      applied.push(next);
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

/** Names recorded as applied, in order; creates the (empty) table inside the caller's transaction. */
async function recorded<DB>(trx: Kysely<DB>): Promise<string[]> {
  await sql`create table if not exists ${sql.table(TABLE)} (name varchar(255) not null primary key, timestamp varchar(255) not null)`.execute(
    trx,
  );
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(TABLE)} order by name`.execute(
    trx,
  );
  return rows.map((r) => r.name);
}
