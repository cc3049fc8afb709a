// Is there a database to open? Checked before SQLite opens the path, because SQLite treats a missing
// or empty file as a new, empty database, and serving that where a database existed loses everything
// without a word. The rules:
// - An empty (0-byte) file is refused: it is not a database (SQLite writes the header first).
// - A missing file is refused unless the caller may create one (only `serve` and `migrate` may), and
//   even then when the directory shows that a database was there: SQLite's own -wal/-shm/-journal
//   files, the lock file of a server that ran on it (lock.ts), or a rescued copy (file-guard.ts).
// - An existing file is refused while a rescued copy lies beside it: a server lost the database it
//   was running on (its WAL deleted, say), and the copy may hold changes the file lacks. A person
//   decides which to keep.

import { readdirSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";

import { BeaconError } from "../../core/errors.js";

/** Files beside `<db>` that only exist where a database `<db>` was opened before. */
const TRACE_SUFFIXES = ["-wal", "-shm", "-journal", ".lock", ".rescued-"];

/** The traces of an earlier database at `path` (file names in its directory), if any. */
export function databaseTraces(path: string): string[] {
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names.filter((n) => TRACE_SUFFIXES.some((s) => n.startsWith(`${base}${s}`))).sort();
}

/** Throws unless the database at `path` may be opened (see the rules above). */
export function checkPresence(path: string, create: boolean): void {
  if (path === ":memory:") return;
  const size = sizeOf(path);
  if (size === 0)
    throw new BeaconError(
      "store_unavailable",
      `${path} is empty (0 bytes): it is not a Beacon database, and Beacon does not start a new one in its place. Restore the database from a backup, or delete the empty file to start afresh`,
      { details: { path } },
    );
  if (size !== undefined) {
    const rescued = databaseTraces(path).filter((n) => n.startsWith(`${basename(path)}.rescued-`));
    if (rescued.length > 0)
      throw new BeaconError(
        "store_unavailable",
        `${rescued.join(", ")} holds what a server saved when it lost the database file it was running on, and may hold changes ${path} lacks. Keep a copy of every file, then ${restoring(path, "the rescued file")} (or delete the rescued file if the database already has everything), and start again`,
        { details: { path, rescued } },
      );
    return;
  }
  if (!create)
    throw new BeaconError("store_not_found", `no Beacon database at ${path}`, { details: { path } });
  const traces = databaseTraces(path);
  if (traces.length > 0)
    throw new BeaconError(
      "store_unavailable",
      `${path} is missing, but ${dirname(path)} held a database (${traces.join(", ")} remain): Beacon does not start a new, empty one in its place. To restore it, ${restoring(path, "a backup or the .rescued- copy")}; to start afresh, remove those files or use another data directory`,
      { details: { path, traces } },
    );
}

/**
 * How to put a copy in place: SQLite would replay a -wal left by the lost file into the copy (and
 * damage it), so the -wal and -shm go first.
 */
function restoring(path: string, what: string): string {
  return `remove ${basename(path)}-wal and ${basename(path)}-shm (they belong to the lost file), then move ${what} to ${path}`;
}

/** The file's size, or undefined when nothing is there. Other failures surface when SQLite opens it. */
function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return -1;
  }
}
