// `beacon backup` for the SQLite store: a consistent copy of the database, safe while a server runs
// and writes (docs/deploy/backup.md).
//
// Contract: the destination either stays as it was or becomes a whole, checked copy; never a partial
// file. The copy is made into a private temporary file beside it (mode 0600), checked (checkCopy:
// integrity, a Beacon database this version knows), flushed, then put in place in one step: a hard
// link that fails when the destination appeared meanwhile, or, with `force`, a rename over it. The
// server's lock is not taken: backups run beside `beacon serve` (WAL readers never block its writes).
// Throws backup_exists, backup_dir_not_found, store_not_found, or what checkCopy throws.

import { existsSync, linkSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { storeError } from "./errors.js";
import { checkCopy, copyInto, privateTemp, removeTemp, syncPath, type CopyProgress } from "./backup-copy.js";
import { MIGRATIONS } from "./migrations/index.js";

export interface BackupOptions {
  /** Replace an existing destination. */
  readonly force?: boolean;
  readonly clock: Clock;
  readonly onProgress?: (p: CopyProgress) => void;
}

export interface BackupSummary {
  readonly path: string;
  readonly bytes: number;
  readonly pages: number;
  /** The last migration the copy recorded. */
  readonly migration: string;
  readonly durationMs: number;
}

/** Copies the database at `source` to `destination` (see the contract above). */
export async function backupDatabase(
  source: string,
  destination: string,
  opts: BackupOptions,
): Promise<BackupSummary> {
  const started = opts.clock();
  const path = resolve(destination);
  refuseDestination(path, resolve(source), opts.force === true);
  if (!existsSync(source))
    throw new BeaconError("store_not_found", `no Beacon database at ${source}`, {
      details: { path: source },
    });
  const temp = tempBeside(path);
  try {
    const pages = await copyInto(source, temp, opts.onProgress);
    const checked = checkCopy(temp, Object.keys(MIGRATIONS).sort(), `the copy of ${source}`);
    syncPath(temp);
    place(temp, path, opts.force === true);
    syncPath(dirname(path));
    return {
      path,
      bytes: statSync(path).size,
      pages,
      migration: checked.migration,
      durationMs: opts.clock() - started,
    };
  } finally {
    removeTemp(temp);
  }
}

function refuseDestination(path: string, source: string, force: boolean): void {
  if (["", "-wal", "-shm", "-journal", ".lock"].some((suffix) => path === `${source}${suffix}`))
    throw refused(
      "backup_exists",
      `${path} is the database or one of its files; back up to another name`,
      path,
    );
  if (!existsSync(dirname(path)))
    throw refused(
      "backup_dir_not_found",
      `the directory ${dirname(path)} does not exist; create it first`,
      path,
    );
  if (existsSync(path) && statSync(path).isDirectory())
    throw refused("backup_exists", `${path} is a directory; give the backup a file name in it`, path);
  if (existsSync(path) && !force)
    throw refused(
      "backup_exists",
      `${path} exists; pass --force to replace it, or choose another name`,
      path,
    );
}

function refused(code: "backup_exists" | "backup_dir_not_found", message: string, path: string): BeaconError {
  return new BeaconError(code, message, { details: { path } });
}

function tempBeside(path: string): string {
  try {
    return privateTemp(path, "backup");
  } catch (e) {
    throw storeError(e, `cannot write the backup beside ${path}`, path);
  }
}

/** Puts the checked copy at `path`: never over an existing file unless `force`. */
function place(temp: string, path: string, force: boolean): void {
  try {
    if (force) renameSync(temp, path);
    else linkOrRename(temp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST")
      throw refused("backup_exists", `${path} appeared while the backup ran; nothing was replaced`, path);
    throw storeError(e, `cannot put the backup at ${path}`, path);
  }
}

/** Errors of a file system without hard links (some network and FUSE mounts). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "ENOSYS"]);

/**
 * Moves `temp` to `path`, failing with EEXIST when `path` exists: a hard link refuses atomically;
 * without hard links, a rename after a last look.
 */
function linkOrRename(temp: string, path: string): void {
  try {
    linkSync(temp, path);
  } catch (e) {
    if (!NO_HARD_LINKS.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
    if (existsSync(path)) throw Object.assign(new Error(`${path} exists`), { code: "EEXIST" });
    return renameSync(temp, path);
  }
  rmSync(temp);
}
