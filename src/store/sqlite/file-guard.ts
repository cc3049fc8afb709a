// Watches the files an open database lives in. An open SQLite connection keeps writing to its file
// (and its -wal) after someone deleted or replaced them on disk: commits succeed, but they go to a file
// nobody can open again, and the next start finds an empty database or an old one. The guard
// notices, refuses every later write, says so loudly, and saves what the connection still sees.
//
// Contract:
// - `verify()` after every commit and `check()` once a second: a file whose device/inode differs from
//   the one opened, or that is gone, makes the store "lost" for good (until a restart): `problem()` is
//   store_unavailable and the store refuses writes. The commit that found it is reported as failed,
//   so nothing acknowledged goes only to the vanished file. After a
//   commit the database file's identity is compared (stat) but only the WAL's presence (access): a
//   stat of the WAL right after a write made the next commit ~45 µs slower on Linux 6.18/ext4 (reading
//   a file's times there makes its next write update the inode, which the next fsync then journals),
//   so a WAL replaced by another file (not deleted) is found by check(), within a second.
// - When lost, the whole database as the connection sees it is copied once to
//   `<db>.rescued-<time>` (VACUUM INTO), as soon as no transaction is open. Its presence also stops a
//   later start from creating an empty database in the lost one's place (presence.ts).
// - `check()` also asks whether the files can still be written (mode, chattr +i, read-only mount):
//   while they cannot, `problem()` is store_read_only; that clears itself once they can.

import { accessSync, constants, statSync } from "node:fs";

import { BeaconError } from "../../core/errors.js";
import type { Log } from "../../core/log.js";

interface Watched {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

export interface FileGuardOptions {
  readonly path: string;
  readonly log: Log;
  /** Copies the database to `target`; false when it cannot now (a transaction is open). Throws on failure. */
  readonly rescue: (target: string) => boolean;
  /** Default Date.now. */
  readonly now?: () => number;
}

export class FileGuard {
  readonly #opts: FileGuardOptions;
  /** Checked on every commit: the database file. */
  readonly #hot: Watched[];
  /** The WAL: its presence checked on every commit, its identity once a second. */
  readonly #wal: Watched[];
  /** Checked once a second as well: the shared-memory index. */
  readonly #cold: Watched[];
  #lost: BeaconError | undefined;
  #readOnly: BeaconError | undefined;
  #rescued = false;

  /** Records the identity of the files as they are now (call right after opening). */
  constructor(opts: FileGuardOptions) {
    this.#opts = opts;
    this.#hot = present(opts.path);
    this.#wal = present(`${opts.path}-wal`);
    this.#cold = present(`${opts.path}-shm`);
  }

  /** Why writes cannot go ahead now, or undefined. */
  problem(): BeaconError | undefined {
    return this.#lost ?? this.#readOnly;
  }

  /** Throws store_unavailable once the files were lost. Call before a write. */
  assertNotLost(): void {
    if (this.#lost !== undefined) throw this.#lost;
  }

  /** After a commit: throws store_unavailable if the files were lost before it (or just now). */
  verify(): void {
    if (this.#lost === undefined) this.#compare(this.#hot);
    if (this.#lost === undefined) this.#compare(this.#wal, exists);
    if (this.#lost !== undefined) throw this.#lost;
  }

  /** The periodic check: identity of every file, whether they can be written, the rescue copy. */
  check(): void {
    if (this.#lost === undefined) this.#compare([...this.#hot, ...this.#wal, ...this.#cold]);
    if (this.#lost !== undefined) {
      this.#rescue();
      return;
    }
    this.#checkWritable();
  }

  /** Looks at each file with `look` (default: its identity; `exists` only knows gone or not). */
  #compare(files: readonly Watched[], look: (path: string) => Look = identify): void {
    for (const f of files) {
      const now = look(f.path);
      if (
        now === "unknown" ||
        now === "present" ||
        (now !== undefined && now.dev === f.dev && now.ino === f.ino)
      )
        continue;
      const what = now === undefined ? "was deleted" : "was replaced by another file";
      this.#lost = new BeaconError(
        "store_unavailable",
        `${f.path} ${what} while the server was running: updates are refused until it is restarted (this server saves what it held beside it, as ${this.#opts.path}.rescued-…)`,
        { details: { path: this.#opts.path, reason: "file_lost", file: f.path } },
      );
      this.#opts.log.error(
        { path: f.path, reason: what },
        "DATABASE FILE LOST: refusing updates; restart the server after putting the database back",
      );
      this.#rescue();
      return;
    }
  }

  #rescue(): void {
    if (this.#rescued) return;
    const stamp = new Date((this.#opts.now ?? Date.now)()).toISOString().replace(/[:.]/g, "-");
    const target = `${this.#opts.path}.rescued-${stamp}`;
    try {
      if (!this.#opts.rescue(target)) return;
      this.#rescued = true;
      this.#opts.log.error(
        { path: this.#opts.path, rescued: target },
        `the database as this server saw it is saved: stop the server, remove ${this.#opts.path}-wal and -shm, and move the copy to ${this.#opts.path} (docs/configuration.md, "The data directory")`,
      );
    } catch (err) {
      this.#rescued = true;
      this.#opts.log.error(
        { err, path: this.#opts.path, target },
        "could not save a copy of the lost database",
      );
    }
  }

  #checkWritable(): void {
    // Only the files: once the -wal and -shm exist, SQLite needs no write access to the directory.
    const blocked = [...this.#hot, ...this.#wal].flatMap(({ path }) => {
      try {
        accessSync(path, constants.W_OK);
        return [];
      } catch (e) {
        return [`${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`];
      }
    });
    const was = this.#readOnly;
    this.#readOnly =
      blocked.length === 0
        ? undefined
        : new BeaconError(
            "store_read_only",
            `the database cannot be written (${blocked.join("; ")}): updates fail`,
            {
              details: { path: this.#opts.path },
            },
          );
    if (was === undefined && this.#readOnly !== undefined)
      this.#opts.log.error(
        { path: this.#opts.path, blocked },
        "DATABASE READ-ONLY: updates fail until it is writable",
      );
    else if (was !== undefined && this.#readOnly === undefined)
      this.#opts.log.info({ path: this.#opts.path }, "the database is writable again");
  }
}

/** What a look at a file found: its identity, or "present" (identity not asked), or gone (undefined). */
type Look = Watched | "present" | undefined | "unknown";

/** The file's identity; undefined when it is gone; "unknown" when it cannot be looked at (EACCES). */
function identify(path: string): Watched | undefined | "unknown" {
  try {
    const s = statSync(path, { throwIfNoEntry: false });
    return s === undefined ? undefined : { path, dev: s.dev, ino: s.ino };
  } catch {
    return "unknown";
  }
}

/** Whether the file is there, without reading its times (see the contract above). */
function exists(path: string): "present" | undefined | "unknown" {
  try {
    accessSync(path, constants.F_OK);
    return "present";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? undefined : "unknown";
  }
}

function present(path: string): Watched[] {
  const w = identify(path);
  return w === undefined || w === "unknown" ? [] : [w];
}
