// `beacon restore` for the SQLite store: puts a backup in place of the database (docs/deploy/backup.md).
//
// Contract:
// - Refuses while a server holds the database (store_in_use: the lock of lock.ts is taken, and held
//   until the end, so no server starts half-way).
// - The backup is copied into a private file beside the database and checked there (checkCopy: a
//   whole Beacon database, not from a newer Beacon); pending migrations run on that copy. Any failure
//   up to here leaves the data directory exactly as it was.
// - Then the current database, with its -wal/-shm/-journal (an unclean stop leaves commits in the
//   -wal, and a -wal left beside the restored file would be replayed into it and damage it), moves
//   aside to `<db>.before-restore-<time>`, and the copy is renamed into place: at no time is there a
//   partial file at `<db>`.
// - Run as root, the new files get the owner of the data directory, so the service user can open them.
// Throws backup_not_found, what checkCopy throws, store_in_use, or a store error.

import { chownSync, existsSync, renameSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { silentLog } from "../../core/log.js";
import { checkCopy, copyInto, privateTemp, removeTemp, syncPath } from "./backup-copy.js";
import { ensureDir, openDatabase } from "./connection.js";
import { storeError } from "./errors.js";
import { lockDatabase } from "./lock.js";
import { MIGRATIONS } from "./migrations/index.js";

export interface RestoreSummary {
  readonly path: string;
  readonly from: string;
  /** Where the database that was there went, if there was one. */
  readonly movedAside: string | undefined;
  /** The backup's last migration, and those applied to it now. */
  readonly migration: string;
  readonly applied: readonly string[];
}

/** SQLite's files beside a database, which move with it. */
const SIDE_FILES = ["", "-wal", "-shm", "-journal"];

/** Replaces the database at `dbPath` with the backup at `source` (see the contract above). */
export async function restoreDatabase(dbPath: string, source: string, clock: Clock): Promise<RestoreSummary> {
  const path = resolve(dbPath);
  const from = resolve(source);
  if (!existsSync(from))
    throw new BeaconError("backup_not_found", `no backup file at ${from}`, { details: { path: from } });
  try {
    ensureDir(dirname(path));
  } catch (e) {
    throw storeError(e, `cannot create the directory of ${path}`, path);
  }
  const lock = lockDatabase(path);
  let temp: string | undefined;
  try {
    adoptOwner(lock.path);
    temp = privateTemp(path, "restore");
    await copyInto(from, temp);
    const { migration } = checkCopy(temp, Object.keys(MIGRATIONS).sort(), from);
    const applied: string[] = [];
    const log = {
      ...silentLog,
      info: (o: object) => void ("migration" in o && applied.push(String(o.migration))),
    };
    (await openDatabase(temp, log, { create: false })).raw.close();
    adoptOwner(temp);
    syncPath(temp);
    const movedAside = moveAside(path, clock());
    renameSync(temp, path);
    syncPath(dirname(path));
    return { path, from, movedAside, migration, applied };
  } catch (e) {
    throw storeError(e, `cannot restore ${from} to ${path}`, path);
  } finally {
    if (temp !== undefined) removeTemp(temp);
    lock.release();
  }
}

/** Moves the database at `path` and its side files to `<path>.before-restore-<time>`; its name, if any. */
function moveAside(path: string, now: number): string | undefined {
  const aside = `${path}.before-restore-${new Date(now).toISOString().replace(/[-:]|\.\d+/g, "")}`;
  let moved = false;
  for (const suffix of SIDE_FILES) {
    if (!existsSync(`${path}${suffix}`)) continue;
    renameSync(`${path}${suffix}`, `${aside}${suffix}`);
    moved ||= suffix === "";
  }
  return moved ? aside : undefined;
}

/** Run as root: gives `file` the owner of its directory (the service's state directory). */
function adoptOwner(file: string): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(dirname(file));
  chownSync(file, uid, gid);
}
