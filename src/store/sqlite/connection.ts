// Opening the SQLite file: presence, directory, pragmas, Kysely, migrations, writability. Any failure
// here (no database where one is needed, an empty file, unwritable directory, a file that is not a
// database, a schema from a newer Beacon, a full disk) is a store_* error that names the file, never a
// crash: store_not_found, store_read_only, store_full, or store_unavailable.

import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, type Migration, type SqliteDatabase } from "kysely";

import type { BeaconError } from "../../core/errors.js";
import type { Log } from "../../core/log.js";
import { storeError } from "./errors.js";
import { migrate } from "./migrate.js";
import { MIGRATIONS } from "./migrations/index.js";
import { lockDatabase, type DatabaseLock } from "./lock.js";
import { checkPresence } from "./presence.js";
import type { Database } from "./schema.js";

/** How long a writer waits for another process (e.g. the CLI) to release the write lock. */
const BUSY_TIMEOUT_MS = 5000;
/** Prepared statements kept per connection. */
const STATEMENT_CACHE_SIZE = 500;

function unavailable(path: string, doing: string, e: unknown): BeaconError {
  return storeError(e, `cannot ${doing} the SQLite database ${path}`, path);
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

function openFile(path: string, log: Log, create: boolean): BetterSqlite3.Database {
  let raw: BetterSqlite3.Database | undefined;
  try {
    raw = new BetterSqlite3(path, { fileMustExist: !create });
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
 *
 * SQLite ends a transaction by itself on some errors (SQLITE_FULL, SQLITE_IOERR, …); Kysely's
 * ROLLBACK then fails with "cannot rollback - no transaction is active", and that error would replace
 * the one that says what happened ("database or disk is full"). So ROLLBACK runs only while a
 * transaction is open.
 */
function immediateTransactions(raw: BetterSqlite3.Database): SqliteDatabase {
  // Kysely prepares every query it runs; compiling the SQL each time cost as much as running it.
  // Statements are reusable, so keep them by text (bounded: texts vary with the number of bound keys).
  const statements = new Map<string, BetterSqlite3.Statement>();
  const rollback = raw.prepare("rollback");
  const rollbackIfOpen = {
    reader: false,
    run: () => (raw.inTransaction ? rollback.run() : { changes: 0, lastInsertRowid: 0 }),
  } as unknown as BetterSqlite3.Statement;
  return {
    close: () => raw.close(),
    prepare: (text) => {
      if (text === "rollback") return rollbackIfOpen;
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
 * Throws store_read_only when the database cannot be written. SQLite opens a file it may not write
 * (mode 0444, chattr +i, a read-only mount) read-only without a word, and only the first write fails;
 * this probe writes the header's user_version (unchanged) in a transaction it rolls back, so nothing
 * reaches the disk.
 */
function probeWritable(raw: BetterSqlite3.Database): void {
  const version: unknown = raw.pragma("user_version", { simple: true });
  raw.exec("begin immediate");
  try {
    raw.pragma(`user_version = ${Number(version)}`);
  } finally {
    if (raw.inTransaction) raw.exec("rollback");
  }
}

export interface OpenOptions {
  /** May create the file when it is missing (only `serve` and `migrate`): see presence.ts. Default true. */
  readonly create?: boolean;
  /** Refuse, with store_read_only, a database that cannot be written. Default false. */
  readonly requireWritable?: boolean;
  /**
   * Hold the database's lock (lock.ts) until closed: what `serve` and `migrate` do, so a second one
   * refuses (store_in_use). Taken after the presence check, which the lock file would otherwise fail.
   */
  readonly exclusive?: boolean;
  /** Default: every migration (tests pass others). */
  readonly migrations?: Readonly<Record<string, Migration>>;
}

/**
 * Opens and migrates the database at `path`. Throws a store_* BeaconError. `raw` is the same
 * connection, for statements run outside Kysely (see update-path.ts).
 */
export async function openDatabase(
  path: string,
  log: Log,
  opts: OpenOptions = {},
): Promise<{ db: Kysely<Database>; raw: BetterSqlite3.Database; lock: DatabaseLock | undefined }> {
  const create = opts.create ?? true;
  checkPresence(path, create);
  // Before the lock, whose file sits beside the database (a first `npm start` has no data/ yet).
  if (create && path !== ":memory:") {
    try {
      ensureDir(dirname(path));
    } catch (e) {
      throw unavailable(path, "create the directory of", e);
    }
  }
  const lock = opts.exclusive === true ? lockDatabase(path) : undefined;
  let raw: BetterSqlite3.Database;
  try {
    raw = openFile(path, log, create);
  } catch (e) {
    lock?.release();
    throw e;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: immediateTransactions(raw) }) });
  try {
    let applied: string[];
    try {
      applied = await migrate(db, opts.migrations ?? MIGRATIONS);
    } catch (e) {
      throw unavailable(path, "migrate", e);
    }
    for (const migration of applied) log.info({ path, migration }, "SQLite migration applied");
    if (opts.requireWritable === true) {
      try {
        probeWritable(raw);
      } catch (e) {
        throw unavailable(path, "write", e);
      }
    }
  } catch (e) {
    await db.destroy();
    lock?.release();
    throw e;
  }
  return { db, raw, lock };
}
