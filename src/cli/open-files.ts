// The process's open-file limit, and how to tell a failure that comes from running out of file
// descriptors. Node reads the modules of a graph concurrently (one open file each, several hundred at
// once for `beacon serve`), so a low limit fails the start with EMFILE — or, when a package lookup is
// the call that ran out, with a misleading "Cannot find package …/better-sqlite3" for a file that is
// there. Both are recognised here and reported as one line (too_many_open_files).

import { existsSync, readFileSync } from "node:fs";
import { BeaconError } from "../core/errors.js";

/**
 * The open-file limit (RLIMIT_NOFILE; Node raises the soft limit to the hard one as it starts), where
 * `read` gives /proc/self/limits (Linux); undefined otherwise.
 */
export function readOpenFileLimit(read: () => string): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)\s/m.exec(read())?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

let known: number | undefined;

/** This process's open-file limit; remembered once read (when it matters, no descriptor may be left). */
export function openFileLimit(): number | undefined {
  known ??= readOpenFileLimit(() => readFileSync("/proc/self/limits", "utf8"));
  return known;
}

const OUT_OF_FILES = new Set(["EMFILE", "ENFILE"]);

/** True when `e` or one of its causes ran out of file descriptors (see the top of this file). */
export function isOutOfFiles(e: unknown, exists: (path: string) => boolean = existsSync): boolean {
  for (let err = e, depth = 0; err instanceof Error && depth < 5; err = err.cause, depth++) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && OUT_OF_FILES.has(code)) return true;
    if (code === "ERR_MODULE_NOT_FOUND") {
      const missing = /^Cannot find (?:package|module) '([^']+)'/.exec(err.message)?.[1];
      if (missing !== undefined && missing.startsWith("/") && exists(missing)) return true;
    }
  }
  return false;
}

/** What to tell a person who ran out of file descriptors; `what` says what could not be done. */
export function outOfFilesError(what = "start", limit = openFileLimit()): BeaconError {
  const now = limit === undefined ? "" : ` (the open-file limit is ${limit})`;
  return new BeaconError(
    "too_many_open_files",
    `too many open files to ${what}${now}: raise the limit, e.g. \`ulimit -n 4096\` in the shell or LimitNOFILE=4096 in the systemd unit`,
  );
}
