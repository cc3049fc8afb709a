// Opening the SQLite file: directory, pragmas, Kysely, migrations. Any failure here (unwritable
// directory, a file that is not a database, a schema from a newer Beacon) is a store_unavailable
// error that names the file, never a crash.

import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, type SqliteDatabase } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { Log } from "../../services/ports.js";
import { migrationProvider } from "./migrations/index.js";
import type { Database } from "./schema.js";

/** How long a writer waits for another process (e.g. the CLI) to release the write lock. */
const BUSY_TIMEOUT_MS = 5000;
/** Prepared statements kept per connection. */
const STATEMENT_CACHE_SIZE = 500;

function unavailable(path: string, doing: string, e: unknown): BeaconError {
  const reason = e instanceof Error ? e.message : String(e);
  return new BeaconError("store_unavailable", `cannot ${doing} the SQLite database ${path}: ${reason}`, {
    cause: e,
    details: { path },
  });
}

/**
 * Creates `dir` and its missing ancestors. Not mkdirSync's `recursive`, which on Node 20 spins forever
 * on some paths (e.g. under /proc, where mkdir answers ENOENT); this loop is bounded by the depth.
 */
function ensureDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

function openFile(path: string, log: Log): BetterSqlite3.Database {
  let raw: BetterSqlite3.Database | undefined;
  try {
    if (path !== ":memory:") ensureDir(dirname(path));
    raw = new BetterSqlite3(path);
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // The first statement that reads the file: a non-database file fails here (SQLITE_NOTADB).
    const mode: unknown = raw.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal") log.warn({ path, journalMode: mode }, "SQLite database is not in WAL mode");
    // An update is acknowledged only after its commit is on disk.
    raw.pragma("synchronous = FULL");
    raw.pragma("foreign_keys = ON");
    raw.prepare("select count(*) from sqlite_schema").get();
    return raw;
  } catch (e) {
    raw?.close();
    throw unavailable(path, "open", e);
  }
}

/**
 * Kysely's SQLite driver starts transactions with a deferred BEGIN. A deferred transaction that
 * reads before it writes fails at once with SQLITE_BUSY_SNAPSHOT (busy_timeout does not help) when
 * another process committed in between. Every transaction here is short, so each takes the write
 * lock up front (BEGIN IMMEDIATE) and waits its turn instead.
 */
function immediateTransactions(raw: BetterSqlite3.Database): SqliteDatabase {
  // Kysely prepares every query it runs; compiling the SQL each time cost as much as running it.
  // Statements are reusable, so keep them by text (bounded: texts vary with the number of bound keys).
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare: (text) => {
      let statement = statements.get(text);
      if (statement === undefined) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = raw.prepare(text === "begin" ? "begin immediate" : text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/**
 * Opens (creating if missing) and migrates the database at `path`. Throws store_unavailable. `raw` is
 * the same connection, for statements run outside Kysely (see update-path.ts).
 */
export async function openDatabase(
  path: string,
  log: Log,
): Promise<{ db: Kysely<Database>; raw: BetterSqlite3.Database }> {
  const raw = openFile(path, log);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: immediateTransactions(raw) }) });
  try {
    const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error !== undefined) throw unavailable(path, "migrate", error);
    for (const r of results ?? []) log.info({ path, migration: r.migrationName }, "SQLite migration applied");
  } catch (e) {
    await db.destroy();
    throw e instanceof BeaconError ? e : unavailable(path, "migrate", e);
  }
  return { db, raw };
}
