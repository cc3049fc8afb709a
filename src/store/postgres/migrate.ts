// Brings a PostgreSQL database's schema up to date, keeping sqlite/migrate.ts's contract:
// - Each pending migration runs in its own transaction together with the row that records it
//   (kysely_migration, the table SQLite uses, with the same names): PostgreSQL's DDL is transactional,
//   so a migration commits whole or not at all, and the next start runs a failed one again.
// - Migrations run in name order. A database that recorded a migration this program does not know
//   (written by a newer Beacon), or that skipped one, is refused before anything changes, with
//   migration-order.ts's messages.
// - Several nodes starting at once are serialised by a session advisory lock (pg_advisory_lock) held
//   on one dedicated connection for the whole run; the list of applied migrations is read after taking
//   it, so each migration is applied once. That connection must be a direct one (a PgBouncer in
//   transaction mode would not keep the session lock).

import type pg from "pg";

import { MigrationRefused, refuseUnknown } from "../migration-order.js";

/** A migration: SQL (one or more statements, no parameters) run in its own transaction. */
export type PgMigration = string;

const TABLE = "kysely_migration";
/** The advisory lock key every Beacon migrating this database takes ("beac"). */
export const MIGRATION_LOCK = 0x62656163;

/**
 * Applies every migration of `migrations` (keyed by name) not yet recorded, and resolves with the names
 * applied, in order. Rejects with the driver error of a failing migration (the schema is then that of
 * the migrations applied before it) or MigrationRefused. Holds one of the pool's connections meanwhile.
 */
export async function migrate(
  pool: pg.Pool,
  migrations: Readonly<Record<string, PgMigration>>,
): Promise<string[]> {
  const names = Object.keys(migrations).sort();
  const applied: string[] = [];
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client has no 'error' listener of the pool's (db.ts says why this one is needed).
  const lost = (e: Error): void => void (broken = e);
  client.on("error", lost);
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await client.query(
        `create table if not exists ${TABLE} (name varchar(255) not null primary key, timestamp varchar(255) not null)`,
      );
      for (;;) {
        const next = await inTransaction(client, async () => {
          const done = (await client.query<{ name: string }>(`select name from ${TABLE} order by name`)).rows;
          refuseUnknown(
            done.map((r) => r.name),
            names,
          );
          const name = names[done.length];
          if (name === undefined) return undefined;
          await client.query(migrations[name]!);
          await client.query(`insert into ${TABLE} (name, timestamp) values ($1, $2)`, [
            name,
            new Date().toISOString(),
          ]);
          return name;
        });
        if (next === undefined) return applied;
        applied.push(next);
      }
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } catch (e) {
    // Unlocking failed or the connection broke: closing it releases a lock it may still hold.
    broken = e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    client.off("error", lost);
    client.release(broken);
  }
}

/**
 * Without changing anything, throws MigrationRefused unless the database recorded exactly the
 * migrations of `migrations`: what a client that must not migrate (an admin command, which may be a
 * newer Beacon than the nodes serving) checks before it uses the database.
 */
export async function assertMigrated(
  pool: pg.Pool,
  migrations: Readonly<Record<string, PgMigration>>,
): Promise<void> {
  const names = Object.keys(migrations).sort();
  const done = await pool.query<{ name: string }>(`select name from ${TABLE} order by name`).then(
    (r) => r.rows.map((row) => row.name),
    (e: unknown) => {
      // No such table (42P01): nothing was ever migrated here.
      if ((e as { code?: unknown }).code === "42P01") return [];
      throw e;
    },
  );
  refuseUnknown(done, names);
  if (done.length < names.length)
    throw new MigrationRefused(
      `the database's schema is behind this Beacon (${names.length - done.length} migration(s) to apply); run \`beacon migrate\``,
    );
}

async function inTransaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query("begin");
  try {
    const result = await fn();
    await client.query("commit");
    return result;
  } catch (e) {
    await client.query("rollback");
    throw e;
  }
}
