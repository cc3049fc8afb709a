// File-system faults for the store's tests: a tiny file system that fills up, and an unprivileged
// user for whom file modes count (root ignores them). Both need root; a test that cannot have them
// skips with a loud reason, and fails instead under BEACON_REQUIRE_PEERS=1 (CI), as the peers do.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when `what` can be done here; false with a loud warning; throws under BEACON_REQUIRE_PEERS=1. */
export function faultAvailable(what: string, probe: () => void): boolean {
  try {
    probe();
    return true;
  } catch (e) {
    const why = `cannot ${what} here (root needed): ${e instanceof Error ? e.message : String(e)}`;
    if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
    console.warn(`\n!!! SKIPPING tests that ${what}: ${why}\n`);
    return false;
  }
}

export interface TinyFs {
  readonly dir: string;
  /** Fills the file system until `bytes` (rounded down to whole blocks) remain free. */
  leaveFree(bytes: number): void;
  /** Removes what leaveFree wrote. */
  unfill(): void;
  /** Removes every file. */
  clear(): void;
  /** Unmounts and removes the mount point. */
  remove(): void;
}

/** Mounts a tmpfs of `bytes` on a fresh directory (root only). */
export function mountTinyFs(bytes: number): TinyFs {
  const dir = mkdtempSync(join(tmpdir(), "beacon-tinyfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0777`, "tmpfs", dir], { stdio: "pipe" });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const filler = join(dir, "filler");
  return {
    dir,
    leaveFree(free) {
      const s = statfsSync(dir);
      const available = s.bavail * s.bsize;
      writeFileSync(filler, Buffer.alloc(Math.max(0, available - free)));
    },
    unfill: () => rmSync(filler, { force: true }),
    clear: () => {
      for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
    },
    remove: () => {
      execFileSync("umount", [dir], { stdio: "pipe" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The uid/gid tests run unprivileged programs as (nobody). */
export const NOBODY = { uid: 65534, gid: 65534 } as const;

/** Probe: can this process start a program as `nobody` (setpriv)? */
export function probeSetpriv(): void {
  execFileSync("setpriv", [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, "--clear-groups", "true"], {
    stdio: "pipe",
  });
}
