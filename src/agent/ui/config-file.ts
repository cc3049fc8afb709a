// The agent's YAML file as the page edits it: read as text, replaced atomically. A crash during a
// save leaves the old file or the new one, never a mix: a temp file in the same directory is written
// with the old file's mode, fsynced, renamed over the file, then the directory is fsynced.

import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, open, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

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
      const dir = dirname(real);
      const tmp = join(dir, `.${basename(real)}.${randomBytes(6).toString("hex")}.tmp`);
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
      const fh = await open(tmp, flags, mode);
      try {
        await fh.writeFile(text, "utf8");
        await fh.chmod(mode); // open() applies the umask; the old file's bits win
        await fh.sync();
      } catch (e) {
        await fh.close();
        await rm(tmp, { force: true });
        throw e;
      }
      await fh.close();
      try {
        await rename(tmp, real);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      await syncDir(dir);
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

/** Makes the rename durable; some platforms cannot open a directory, which is not an error. */
async function syncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, constants.O_RDONLY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort (Windows)
  }
}
