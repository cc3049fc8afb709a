// Never a new, empty database where one existed. Hostile inputs: a 0-byte file, a missing file with
// each kind of trace beside it, a missing directory for a command that must not create anything,
// and look-alike files that are not traces.

import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { openSqliteStore } from "./sqlite-store.js";

describe("which databases may be opened", () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-presence-"));
    path = join(dir, "beacon.db");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([true, false])("refuses a 0-byte file and leaves it as it was (create: %s)", async (create) => {
    await writeFile(path, "");
    await expect(openSqliteStore({ path, create })).rejects.toMatchObject({
      code: "store_unavailable",
      message: expect.stringContaining(`${path} is empty (0 bytes)`) as unknown,
    });
    expect(await readFile(path)).toEqual(Buffer.alloc(0));
    expect(readdirSync(dir)).toEqual(["beacon.db"]);
  });

  it("never creates a database (nor its directory) for a command that only uses one", async () => {
    const nested = join(dir, "docs", "data", "beacon.db");
    await expect(openSqliteStore({ path: nested, create: false })).rejects.toMatchObject({
      code: "store_not_found",
      message: `no Beacon database at ${nested}`,
    });
    expect(existsSync(join(dir, "docs"))).toBe(false);
  });

  it.each([
    "beacon.db-wal",
    "beacon.db-shm",
    "beacon.db-journal",
    "beacon.db.lock",
    "beacon.db.rescued-2024",
  ])("refuses to create a database where %s shows one was", async (trace) => {
    await writeFile(join(dir, trace), "x");
    await expect(openSqliteStore({ path })).rejects.toMatchObject({
      code: "store_unavailable",
      message: expect.stringContaining(
        `${path} is missing, but ${dir} held a database (${trace} remain)`,
      ) as unknown,
    });
    expect(existsSync(path)).toBe(false);
  });

  it.each([true, false])("refuses a database with a rescued copy beside it (create: %s)", async (create) => {
    await (await openSqliteStore({ path })).close();
    await writeFile(join(dir, "beacon.db.rescued-2024-01-02T00-00-00-000Z"), "x");
    await expect(openSqliteStore({ path, create })).rejects.toMatchObject({
      code: "store_unavailable",
      message: expect.stringContaining(
        "beacon.db.rescued-2024-01-02T00-00-00-000Z holds what a server saved when it lost the database file",
      ) as unknown,
    });
  });

  it("creates one where nothing but look-alikes are", async () => {
    for (const name of ["beacon.db.bak", "other.db-wal", "beacon.dbx-shm"])
      await writeFile(join(dir, name), "x");
    const store = await openSqliteStore({ path });
    await store.close();
    expect(existsSync(path)).toBe(true);
  });
});
