import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { backupDatabase } from "./backup.js";
import { lockDatabase } from "./lock.js";
import { MIGRATIONS } from "./migrations/index.js";
import { restoreDatabase } from "./restore.js";
import { openSqliteStore } from "./sqlite-store.js";
import { fillerCount, makeDatabase } from "./testing/filler.js";

const KNOWN = Object.keys(MIGRATIONS).sort();
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const clock = () => NOW;

describe("restoreDatabase", () => {
  let dir: string;
  let db: string;
  let backup: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-restore-"));
    db = join(dir, "data", "beacon.db");
    backup = join(dir, "backup.db");
    await makeDatabase(db, 5);
    lockDatabase(db).release(); // as a server that ran on it leaves it
    await backupDatabase(db, backup, { clock });
    await makeDatabase(join(dir, "other.db"), 7);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const dataFiles = () => readdirSync(join(dir, "data")).sort();

  it("puts the backup in place and keeps the old database, with its -wal, aside", async () => {
    // An unclean stop: commits still in the -wal. They go aside with the file, not into the restored one.
    const crashed = new BetterSqlite3(join(dir, "other.db"));
    crashed.pragma("wal_autocheckpoint = 0");
    crashed.prepare("insert into filler (data) values (x'00')").run();
    const wal = readFileSync(join(dir, "other.db-wal"));
    crashed.close();
    await restoreDatabase(db, join(dir, "other.db"), clock);
    writeFileSync(`${db}-wal`, wal);

    const summary = await restoreDatabase(db, backup, clock);
    const aside = `${db}.before-restore-20260102T030405Z`;
    expect(summary).toEqual({
      path: db,
      from: backup,
      movedAside: aside,
      migration: KNOWN.at(-1),
      applied: [],
    });
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(fillerCount(db)).toBe(5);
    expect(existsSync(`${aside}-wal`)).toBe(true);
    expect(dataFiles().filter((n) => n.startsWith("."))).toEqual([]);
    // The restored file opens as the server opens it.
    await (await openSqliteStore({ path: db, create: false, exclusive: true })).close();
  });

  it("restores into a data directory that has no database yet", async () => {
    const fresh = join(dir, "new", "beacon.db");
    const summary = await restoreDatabase(fresh, backup, clock);
    expect(summary.movedAside).toBeUndefined();
    expect(fillerCount(fresh)).toBe(5);
  });

  it("migrates a backup from an older Beacon", async () => {
    const older = join(dir, "older.db");
    await makeDatabase(older, 3, Object.fromEntries(KNOWN.slice(0, 10).map((n) => [n, MIGRATIONS[n]!])));
    const summary = await restoreDatabase(db, older, clock);
    expect(summary.migration).toBe(KNOWN[9]);
    expect(summary.applied).toEqual(KNOWN.slice(10));
    expect(fillerCount(db)).toBe(3);
  });

  it("refuses while a server holds the database, changing nothing", async () => {
    const before = dataFiles();
    const server = await openSqliteStore({ path: db, create: false, exclusive: true });
    try {
      await expect(restoreDatabase(db, backup, clock)).rejects.toMatchObject({ code: "store_in_use" });
    } finally {
      await server.close();
    }
    expect(dataFiles()).toEqual(before);
  });

  it.each([
    ["a missing file", "backup_not_found", () => join(dir, "nothing.db")],
    [
      "a text file",
      "backup_not_database",
      () => (writeFileSync(join(dir, "t"), "x".repeat(5000)), join(dir, "t")),
    ],
    [
      "a database from a newer Beacon",
      "backup_too_new",
      () => {
        const raw = new BetterSqlite3(backup);
        raw.prepare("insert into kysely_migration values ('9999_future', '')").run();
        raw.close();
        return backup;
      },
    ],
  ])("refuses %s with %s, changing nothing", async (_what, code, make) => {
    const source = make();
    const before = dataFiles();
    await expect(restoreDatabase(db, source, clock)).rejects.toMatchObject({ code });
    expect(dataFiles()).toEqual(before);
    expect(fillerCount(db)).toBe(5);
  });
});
