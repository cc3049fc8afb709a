import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { hostFixture, zoneFixture } from "../testing/fixtures.js";
import { lockDatabase } from "./lock.js";
import { openSqliteStore } from "./sqlite-store.js";

/** Child-process script: take the lock as the server does, say so, then wait to be killed. */
const HOLD = `
const db = new (require("better-sqlite3"))(process.argv[1] + ".lock");
db.exec("create table if not exists holder (id integer primary key check (id = 1), pid integer not null, started_at integer not null)");
db.exec("begin immediate");
db.prepare("insert or replace into holder values (1, ?, ?)").run(process.pid, 0);
db.exec("commit");
db.exec("begin immediate");
process.stdout.write("locked\\n");
setInterval(() => {}, 1000);
`;

describe("the database lock", () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-lock-"));
    path = join(dir, "beacon.db");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is taken, like the database created, in a data directory that does not exist yet", async () => {
    // What `npm start` does on a fresh clone: ./data is missing.
    const fresh = join(dir, "data", "nested", "beacon.db");
    const store = await openSqliteStore({ path: fresh, exclusive: true });
    try {
      await expect(openSqliteStore({ path: fresh, exclusive: true })).rejects.toMatchObject({
        code: "store_in_use",
      });
    } finally {
      await store.close();
    }
  });

  it("refuses a second holder with store_in_use naming the first, until released", () => {
    const first = lockDatabase(path, Date.UTC(2024, 0, 2));
    expect(() => lockDatabase(path)).toThrowError(
      expect.objectContaining({
        code: "store_in_use",
        message: expect.stringContaining(`pid ${process.pid}, started 2024-01-02T00:00:00.000Z`) as unknown,
      }) as Error,
    );
    first.release();
    first.release();
    lockDatabase(path).release();
  });

  it("does not stop other processes (admin commands) from using the database", async () => {
    await (await openSqliteStore({ path })).close();
    const lock = lockDatabase(path);
    const store = await openSqliteStore({ path, create: false });
    await store.createZone(zoneFixture("example.com"));
    await store.createHost(hostFixture("a.example.com", "example.com"));
    await store.close();
    lock.release();
  });

  it("is free again once its holder was killed with SIGKILL", async () => {
    const child = spawn(process.execPath, ["-e", HOLD, path], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => resolve());
      child.once("exit", () => reject(new Error("the holder exited before locking")));
    });
    try {
      expect(() => lockDatabase(path)).toThrowError(
        expect.objectContaining({ message: expect.stringContaining(`pid ${child.pid}`) as unknown }) as Error,
      );
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    lockDatabase(path).release();
  });
});
