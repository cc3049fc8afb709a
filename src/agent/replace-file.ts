// Replacing a file so that a crash leaves the old content or the new, never a mix: a temp file beside
// it (created exclusively, with the final mode), written, fsynced, renamed over the file, then the
// directory fsynced so the rename survives a power cut. The agent's state file and the page's edits
// of the configuration file both write this way.

import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Replaces `path` with `text`, the new file with `mode` (whatever the umask). Throws what the file
 * system says; a temp file is never left behind. Synchronous: files here are a few kilobytes.
 */
export function replaceFile(path: string, text: string, mode: number): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", mode);
  try {
    try {
      writeSync(fd, text);
      fchmodSync(fd, mode); // open() applied the umask
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDirectory(dir);
}

/** Makes the rename durable; some platforms cannot open a directory (Windows): best effort. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}
