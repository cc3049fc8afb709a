// One server per database. `beacon serve` (and `beacon migrate`) hold the write lock of a small SQLite
// file beside the database, `<db>.lock`, for as long as they run: SQLite's locks are the operating
// system's (fcntl on POSIX, LockFileEx on Windows), which Node has no other way to take, and the
// kernel drops them when the process ends however it ends (kill -9 included), so a stale lock never
// outlives its server. Admin commands never take it: they keep working beside a running server.
//
// The file also records who holds it (pid, start time) for the message a second server prints, and
// its presence tells presence.ts that a database was opened here before.

import BetterSqlite3 from "better-sqlite3";

import { BeaconError } from "../../core/errors.js";
import { storeError } from "./errors.js";

export interface DatabaseLock {
  readonly path: string;
  /** Lets another server take the database. Idempotent. */
  release(): void;
}

export function lockPathFor(dbPath: string): string {
  return `${dbPath}.lock`;
}

/** Waits this long for a lock holder that is only writing its row, not running. */
const BUSY_MS = 250;

/** Takes the lock of the database at `dbPath`; throws store_in_use when another process holds it. */
export function lockDatabase(dbPath: string, now: number = Date.now()): DatabaseLock {
  const path = lockPathFor(dbPath);
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(path);
    db.pragma(`busy_timeout = ${BUSY_MS}`);
    db.exec(
      "create table if not exists holder (id integer primary key check (id = 1), pid integer not null, started_at integer not null)",
    );
    // Record ourselves, then hold the write lock for good. A process that slips in between the two
    // (only when two start at the same instant) wins, and this one refuses.
    if (!begin(db)) throw inUse(dbPath, db);
    db.prepare("insert or replace into holder values (1, ?, ?)").run(process.pid, now);
    db.exec("commit");
    if (!begin(db)) throw inUse(dbPath, db);
  } catch (e) {
    db?.close();
    throw storeError(e, `cannot lock ${path}`, path);
  }
  const held = db;
  return {
    path,
    release: () => {
      if (held.open) held.close();
    },
  };
}

/** Begins a write transaction (takes the write lock); false when another connection holds it. */
function begin(db: BetterSqlite3.Database): boolean {
  try {
    db.exec("begin immediate");
    return true;
  } catch (e) {
    if (isBusy(e)) return false;
    throw e;
  }
}

function isBusy(e: unknown): boolean {
  return e instanceof Error && "code" in e && typeof e.code === "string" && e.code.startsWith("SQLITE_BUSY");
}

function inUse(dbPath: string, db: BetterSqlite3.Database): BeaconError {
  let who = "another process";
  try {
    const row = db.prepare("select pid, started_at from holder where id = 1").get() as
      { pid: number; started_at: number } | undefined;
    if (row !== undefined)
      who = `another Beacon server (pid ${row.pid}, started ${new Date(row.started_at).toISOString()})`;
  } catch {
    // The holder is mid-write: the plain message will do.
  }
  return new BeaconError(
    "store_in_use",
    `${who} is using the database ${dbPath}; stop it first, or give this one another data directory (--data-dir)`,
    { details: { path: dbPath } },
  );
}
