// Is there a database to open? Checked before SQLite opens the path, because SQLite treats a missing
// or empty file as a new, empty database, and serving that where a database existed loses everything
// without a word. The rules:
// - An empty (0-byte) file is refused: it is not a database (SQLite writes the header first).
// - A missing file is refused unless the caller may create one (only `serve` and `migrate` may), and
//   even then when the directory shows that a database was there: SQLite's own -wal/-shm/-journal
//   files, the lock file of a server that ran on it (lock.ts), or a rescued copy (file-guard.ts).

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
  if (size !== undefined) return;
  if (!create)
    throw new BeaconError("store_not_found", `no Beacon database at ${path}`, { details: { path } });
  const traces = databaseTraces(path);
  if (traces.length > 0)
    throw new BeaconError(
      "store_unavailable",
      `${path} is missing, but ${dirname(path)} held a database (${traces.join(", ")} remain): Beacon does not start a new, empty one in its place. Restore the database (a .rescued- copy is one), or to start afresh remove those files or use another data directory`,
      { details: { path, traces } },
    );
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
