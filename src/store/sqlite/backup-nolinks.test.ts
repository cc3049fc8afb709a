// backupDatabase on a file system without hard links (some network and FUSE mounts, simulated: every
// link(2) fails with EPERM): the copy is renamed into place instead, and a destination that appears
// meanwhile is still refused.

import type * as fs from "node:fs";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { backupDatabase } from "./backup.js";
import { fillerCount, makeDatabase } from "./testing/filler.js";

vi.mock("node:fs", async (original) => ({
  ...(await original<typeof fs>()),
  linkSync: () => {
    throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
  },
}));

describe("backupDatabase without hard links", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-nolinks-"));
    await makeDatabase(join(dir, "beacon.db"), 3);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("renames the checked copy into place", async () => {
    await backupDatabase(join(dir, "beacon.db"), join(dir, "copy.db"), { clock: () => 0 });
    expect(fillerCount(join(dir, "copy.db"))).toBe(3);
    expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("refuses a destination that appeared while the copy ran, keeping it", async () => {
    await makeDatabase(join(dir, "big.db"), 1100); // more pages than one step: progress is called
    const dest = join(dir, "copy.db");
    const appear = () => writeFileSync(dest, "keep me");
    await expect(
      backupDatabase(join(dir, "big.db"), dest, { clock: () => 0, onProgress: appear }),
    ).rejects.toMatchObject({
      code: "backup_exists",
      message: expect.stringContaining("appeared") as unknown,
    });
    expect(readFileSync(dest, "utf8")).toBe("keep me");
    expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
  });
});
