// The agent's YAML file as the page edits it: read as text, replaced atomically. A crash during a
// save leaves the old file or the new one, never a mix: a temp file in the same directory is written
// with the old file's mode, fsynced, renamed over the file, then the directory is fsynced.

import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { access, readFile, realpath, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { replaceFile } from "../replace-file.js";

export interface ConfigFile {
  /** Absolute path. */
  readonly path: string;
  read(): Promise<string>;
  /** Atomic replace; keeps the file's permission bits (0600 for a new file). */
  write(text: string): Promise<void>;
  /**
   * Why write() would fail for want of permission (the file, or its directory for the temp file and
   * rename: read-only, a read-only mount, another owner), or undefined when it looks possible.
   */
  writeProblem(): Promise<string | undefined>;
}

/** Lowercase hex SHA-256 of the text (UTF-8): the version the page hands back as expectedHash. */
export function textHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function createConfigFile(path: string): ConfigFile {
  return {
    path,
    read: () => readFile(path, "utf8"),
    async write(text) {
      // Through a symlink (a config kept elsewhere): replace the file it points to, keep the link.
      const real = await realpath(path).catch(() => path);
      const mode = await stat(real).then(
        (s) => s.mode & 0o7777,
        () => 0o600,
      );
      replaceFile(real, text, mode);
    },
    async writeProblem() {
      const real = await realpath(path).catch(() => path);
      for (const [what, p] of [
        ["directory", dirname(real)],
        ["file", real],
      ] as const) {
        try {
          await access(p, constants.W_OK);
        } catch (e) {
          const code = (e as { code?: unknown } | null)?.code;
          return `the agent may not write the ${what} ${p} (${typeof code === "string" ? code : "error"})`;
        }
      }
      return undefined;
    },
  };
}
