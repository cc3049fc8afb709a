// Opening the SQLite file: presence, directory, pragmas, migrations (through Kysely), writability. Any failure
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
import type { Database } from "../sql/schema.js";

/** How long a writer waits for another process (e.g. the CLI) to release the write lock. */
const BUSY_TIMEOUT_MS = 5000;

function unavailable(path: string, doing: string, e: unknown): BeaconError {
  return storeError(e, `cannot ${doing} the SQLite database ${path}`, path);
}

/**
 * Creates `dir` and its missing ancestors. Not mkdirSync's `recursive`, which on Node 20 spins forever
 * on some paths (e.g. under /proc, where mkdir answers ENOENT); this loop is bounded by the depth.
 */
export function ensureDir(dir: string): void {
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
 * The connection as Kysely's SQLite driver sees it, for the migrations. Its transactions start with
 * BEGIN IMMEDIATE (as db.ts's do: see there why); ROLLBACK runs only while a transaction is open
 * (SQLite ends one by itself on some errors, SQLITE_FULL, SQLITE_IOERR…, and the failing ROLLBACK's
 * "no transaction is active" would replace the error that says what happened); closing it leaves the
 * connection open for the store.
 */
function forMigrations(raw: BetterSqlite3.Database): SqliteDatabase {
  const rollbackIfOpen = {
    reader: false,
    run: () => (raw.inTransaction ? raw.prepare("rollback").run() : { changes: 0, lastInsertRowid: 0 }),
  } as unknown as BetterSqlite3.Statement;
  return {
    close: () => undefined,
    prepare: (text) =>
      text === "rollback" ? rollbackIfOpen : raw.prepare(text === "begin" ? "begin immediate" : text),
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
 * Opens and migrates the database at `path` (the lock, when `exclusive`, is held until released).
 * Throws a store_* BeaconError.
 */
export async function openDatabase(
  path: string,
  log: Log,
  opts: OpenOptions = {},
): Promise<{ raw: BetterSqlite3.Database; lock: DatabaseLock | undefined }> {
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: forMigrations(raw) }) });
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
    raw.close();
    lock?.release();
    throw e;
  } finally {
    await db.destroy();
  }
  return { raw, lock };
}
