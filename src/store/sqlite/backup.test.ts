import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { backupDatabase } from "./backup.js";
import { checkCopy } from "./backup-copy.js";
import { MIGRATIONS } from "./migrations/index.js";
import { fillerCount, makeDatabase } from "./testing/filler.js";

const KNOWN = Object.keys(MIGRATIONS).sort();
const clock = () => 1000;

describe("backupDatabase", () => {
  let dir: string;
  let db: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-backup-"));
    db = join(dir, "beacon.db");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("copies a snapshot while another connection keeps writing, with progress, mode 0600", async () => {
    // 3000 pages of filler: several steps of the backup API, between which the "server" commits.
    await makeDatabase(db, 3000);
    const server = new BetterSqlite3(db);
    server.pragma("journal_mode = WAL");
    const insert = server.prepare("insert into filler (data) values (randomblob(4096))");
    const seen: number[] = [];
    try {
      const summary = await backupDatabase(db, join(dir, "copy.db"), {
        clock,
        onProgress: (p) => {
          seen.push(p.remainingPages);
          insert.run();
        },
      });
      expect(summary).toMatchObject({ path: join(dir, "copy.db"), migration: KNOWN.at(-1), durationMs: 0 });
      expect(summary.pages).toBeGreaterThan(3000);
      expect(summary.bytes).toBe(statSync(join(dir, "copy.db")).size);
    } finally {
      server.close();
    }
    expect(seen.length).toBeGreaterThan(2);
    // Every row committed before the copy began, none of those written during it.
    expect(fillerCount(join(dir, "copy.db"))).toBe(3000);
    expect(fillerCount(db)).toBe(3000 + seen.length);
    expect(statSync(join(dir, "copy.db")).mode & 0o777).toBe(0o600);
    expect(checkCopy(join(dir, "copy.db"), KNOWN).migration).toBe(KNOWN.at(-1));
    // A single self-contained file: nothing beside it, no temporary left.
    expect(readdirSync(dir).filter((n) => n.startsWith("copy.db") || n.startsWith("."))).toEqual(["copy.db"]);
  });

  it("refuses an existing destination unless forced, a missing directory, and the database itself", async () => {
    await makeDatabase(db, 1);
    const dest = join(dir, "copy.db");
    writeFileSync(dest, "keep me");
    await expect(backupDatabase(db, dest, { clock })).rejects.toMatchObject({ code: "backup_exists" });
    expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
    await backupDatabase(db, dest, { clock, force: true });
    expect(fillerCount(dest)).toBe(1);
    await expect(backupDatabase(db, join(dir, "missing", "copy.db"), { clock })).rejects.toMatchObject({
      code: "backup_dir_not_found",
    });
    for (const target of [db, `${db}-wal`, `${db}.lock`])
      await expect(backupDatabase(db, target, { clock, force: true })).rejects.toMatchObject({
        code: "backup_exists",
      });
    expect(fillerCount(db)).toBe(1);
  });

  it("refuses a destination that appeared while the copy ran, keeping it", async () => {
    await makeDatabase(db, 1100); // more pages than one step: progress is called
    const dest = join(dir, "copy.db");
    const appear = () => writeFileSync(dest, "keep me");
    await expect(backupDatabase(db, dest, { clock, onProgress: appear })).rejects.toMatchObject({
      code: "backup_exists",
      message: expect.stringContaining("appeared") as unknown,
    });
    expect(readFileSync(dest, "utf8")).toBe("keep me");
    expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("says store_not_found without a database, and leaves no file behind", async () => {
    await expect(backupDatabase(join(dir, "none.db"), join(dir, "copy.db"), { clock })).rejects.toMatchObject(
      {
        code: "store_not_found",
      },
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it("never writes a destination from a file that is not a Beacon database", async () => {
    writeFileSync(db, "this is not a database, only text long enough to look like a header".repeat(10));
    await expect(backupDatabase(db, join(dir, "copy.db"), { clock })).rejects.toMatchObject({
      code: "backup_not_database",
    });
    expect(existsSync(join(dir, "copy.db"))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
  });
});

describe("checkCopy", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-check-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names the level of a whole Beacon database", async () => {
    await makeDatabase(join(dir, "ok.db"), 10);
    expect(checkCopy(join(dir, "ok.db"), KNOWN)).toMatchObject({ migration: KNOWN.at(-1) });
  });

  it.each([
    ["a text file", "backup_not_database", (p: string) => writeFileSync(p, "hello\n".repeat(200))],
    ["an empty file", "backup_not_database", (p: string) => writeFileSync(p, "")],
    [
      "a SQLite database that is not Beacon's",
      "backup_not_database",
      (p: string) => new BetterSqlite3(p).exec("create table t (x)").close(),
    ],
  ])("refuses %s with %s", (_what, code, make) => {
    const path = join(dir, "bad.db");
    make(path);
    expect(() => checkCopy(path, KNOWN)).toThrowError(expect.objectContaining({ code }) as Error);
  });

  it("refuses a truncated copy with backup_damaged", async () => {
    const path = join(dir, "cut.db");
    await makeDatabase(path, 200);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expect(() => checkCopy(path, KNOWN)).toThrowError(
      expect.objectContaining({ code: "backup_damaged" }) as Error,
    );
  });

  it("refuses a database from a newer Beacon, and one that skipped a migration", async () => {
    const path = join(dir, "db.db");
    await makeDatabase(path, 1);
    const edit = (sql: string, ...args: string[]) => {
      const raw = new BetterSqlite3(path);
      raw.prepare(sql).run(...args);
      raw.close();
    };
    edit("insert into kysely_migration values ('9999_future', '')");
    expect(() => checkCopy(path, KNOWN)).toThrowError(
      expect.objectContaining({
        code: "backup_too_new",
        message: expect.stringContaining("9999_future") as unknown,
      }) as Error,
    );
    edit("delete from kysely_migration where name in ('9999_future', ?)", KNOWN[1]!);
    expect(() => checkCopy(path, KNOWN)).toThrowError(
      expect.objectContaining({
        code: "backup_not_database",
        message: expect.stringContaining("skipped") as unknown,
      }) as Error,
    );
  });
});
