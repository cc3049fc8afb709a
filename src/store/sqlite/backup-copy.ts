// A copy of a SQLite database, for `beacon backup` and `beacon restore` (docs/deploy/backup.md):
// taken with SQLite's online backup API into a fresh private file, then checked before anyone uses it.
//
// Contract:
// - copyInto(source, target): `target` is a file this process just created (empty, mode 0600). The
//   copy is one consistent snapshot: a read transaction is held on the source for the whole copy, so
//   a server writing meanwhile (WAL mode: readers never block it) neither restarts nor tears it, and
//   it holds every commit made before the copy began. The source is only read.
// - checkCopy(path, known): the copy is a whole SQLite database (integrity_check says ok), a Beacon
//   one (its migrations table lists a prefix of `known`), and not from a newer Beacon; it becomes a
//   single self-contained file (rollback journal, no -wal beside it). Throws backup_not_database,
//   backup_damaged or backup_too_new with what was found; other failures are store errors.
// - privateTemp / removeTemp: the temporary file sits beside its destination (so a rename puts it in
//   place), is created exclusively with mode 0600, and is removed with SQLite's side files.

import { closeSync, fsyncSync, openSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

import BetterSqlite3 from "better-sqlite3";

import { BeaconError } from "../../core/errors.js";
import { MigrationRefused, refuseUnknown } from "../migration-order.js";
import { storeError } from "./errors.js";

/** Pages copied per step of the backup API (4 MiB at the default page size), between progress calls. */
const PAGES_PER_STEP = 1024;

export interface CopyProgress {
  readonly totalPages: number;
  readonly remainingPages: number;
}

/** Copies the database at `source` into `target`; resolves with the number of pages copied. */
export async function copyInto(
  source: string,
  target: string,
  onProgress?: (p: CopyProgress) => void,
): Promise<number> {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(source, { fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    // The snapshot: a deferred transaction becomes a read transaction at its first read.
    db.exec("begin");
    db.prepare("select count(*) from sqlite_schema").get();
    const done = await db.backup(target, {
      progress: (p) => {
        onProgress?.(p);
        return PAGES_PER_STEP;
      },
    });
    return done.totalPages;
  } catch (e) {
    throw asCopyError(e, source);
  } finally {
    if (db?.inTransaction === true) db.exec("rollback");
    db?.close();
  }
}

export interface CheckedCopy {
  /** The last migration the copy recorded (its schema level). */
  readonly migration: string;
  readonly pages: number;
  readonly bytes: number;
}

/** Checks the copy at `path` (see the contract above) against the migrations `known` (sorted). */
export function checkCopy(path: string, known: readonly string[], what = path): CheckedCopy {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(path, { fileMustExist: true });
    db.pragma("journal_mode = DELETE");
    const problems = db.pragma("integrity_check(10)", { simple: false }) as { integrity_check: string }[];
    const found = problems.map((r) => r.integrity_check);
    if (found.length !== 1 || found[0] !== "ok")
      throw new BeaconError("backup_damaged", `${what} is damaged: ${found.join("; ")}`, {
        details: { path: what },
      });
    const migration = level(db, known, what);
    const pages = Number(db.pragma("page_count", { simple: true }));
    const pageSize = Number(db.pragma("page_size", { simple: true }));
    return { migration, pages, bytes: pages * pageSize };
  } catch (e) {
    throw asCopyError(e, what);
  } finally {
    db?.close();
  }
}

function level(db: BetterSqlite3.Database, known: readonly string[], what: string): string {
  const table = db
    .prepare("select 1 from sqlite_schema where type = 'table' and name = 'kysely_migration'")
    .get();
  const done =
    table === undefined
      ? []
      : (db.prepare("select name from kysely_migration order by name").pluck().all() as string[]);
  const last = done[done.length - 1];
  if (last === undefined)
    throw new BeaconError(
      "backup_not_database",
      `${what} is a SQLite database, but not Beacon's (no migrations recorded)`,
      {
        details: { path: what },
      },
    );
  try {
    refuseUnknown(done, known);
  } catch (e) {
    if (!(e instanceof MigrationRefused)) throw e;
    const newer = done.some((n) => !known.includes(n));
    throw new BeaconError(newer ? "backup_too_new" : "backup_not_database", `${what}: ${e.message}`, {
      details: { path: what, migration: last },
    });
  }
  return last;
}

/** A driver failure while reading `what`: not a database, damaged, or a store error. */
function asCopyError(e: unknown, what: string): BeaconError {
  if (e instanceof BeaconError) return e;
  const code = e instanceof Error && "code" in e ? String(e.code) : "";
  const details = { path: what };
  if (code === "SQLITE_NOTADB")
    return new BeaconError("backup_not_database", `${what} is not a SQLite database`, { cause: e, details });
  if (code.startsWith("SQLITE_CORRUPT"))
    return new BeaconError("backup_damaged", `${what} is damaged: ${(e as Error).message}`, {
      cause: e,
      details,
    });
  return storeError(e, `cannot copy ${what}`, what);
}

/** Creates an empty private file beside `destination` for the copy; returns its path. */
export function privateTemp(destination: string, label: string): string {
  const path = join(
    dirname(destination),
    `.${basename(destination)}.${label}-${randomBytes(6).toString("hex")}`,
  );
  closeSync(openSync(path, "wx", 0o600));
  return path;
}

/** Removes a temporary copy and the side files SQLite may have left beside it. */
export function removeTemp(path: string): void {
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
}

/** Flushes a file, or a directory's entries after a rename, to the disk. */
export function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
