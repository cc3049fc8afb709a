import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { Store } from "../ports.js";
import { runStoreContract } from "../testing/contract.js";
import { hostFixture, zoneFixture } from "../testing/fixtures.js";
import { openSqliteStore } from "./sqlite-store.js";
import { openTempStore } from "./testing/temp-store.js";

/** Child-process script: take the write lock, bump the serial, say so, hold it briefly, commit. */
const HOLD_WRITE_LOCK = `
const db = new (require("better-sqlite3"))(process.argv[1]);
db.pragma("busy_timeout = 5000");
db.exec("begin immediate");
db.prepare("update zones set serial = serial + 1 where name = 'example.com'").run();
process.stdout.write("locked\\n");
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
db.exec("commit");
db.close();
`;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "beacon-sqlite-"));
}

runStoreContract("sqlite", openTempStore);

describe("SQLite store specifics", () => {
  let dir: string;
  const open: Store[] = [];

  async function openAt(path: string): Promise<Store> {
    const s = await openSqliteStore({ path });
    open.push(s);
    return s;
  }

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates missing parent directories", async () => {
    const path = join(dir, "a", "b", "beacon.db");
    await openAt(path);
    expect((await stat(path)).isFile()).toBe(true);
  });

  it("keeps data across close and reopen, and reopening an up-to-date schema is fine", async () => {
    const path = join(dir, "beacon.db");
    const first = await openSqliteStore({ path });
    await first.createZone(zoneFixture("example.com"));
    await first.createHost(hostFixture("a.example.com", "example.com"));
    await first.commit({
      writes: [{ fqdn: "a.example.com", type: "A", rrset: { ttl: 60, values: ["192.0.2.1"] } }],
      history: [],
      at: 5,
    });
    const before = await first.snapshot();
    await first.close();

    const second = await openAt(path);
    expect(await second.snapshot()).toEqual(before);
    const third = await openAt(path);
    expect(await third.snapshot()).toEqual(before);
  });

  it("puts the file in WAL mode", async () => {
    const path = join(dir, "beacon.db");
    await openAt(path);
    const raw = new BetterSqlite3(path, { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      raw.close();
    }
  });

  it("finds a token by its secret hash through the unique index (one row, not a scan)", async () => {
    const path = join(dir, "beacon.db");
    await openAt(path);
    const raw = new BetterSqlite3(path, { readonly: true });
    try {
      const plan = raw
        .prepare('explain query plan select * from "tokens" where "secret_hash" = ?')
        .all("ab".repeat(32)) as { detail: string }[];
      expect(plan.map((p) => p.detail)).toEqual([
        "SEARCH tokens USING INDEX tokens_secret_hash (secret_hash=?)",
      ]);
    } finally {
      raw.close();
    }
  });

  it("changes externalVersion when another connection commits, not for its own commits", async () => {
    const path = join(dir, "beacon.db");
    const server = await openAt(path);
    const cli = await openAt(path);
    await server.createZone(zoneFixture("example.com"));
    const v0 = await server.externalVersion();
    const c0 = await cli.externalVersion();

    await server.createHost(hostFixture("a.example.com", "example.com"));
    expect(await server.externalVersion()).toBe(v0);

    await cli.createHost(hostFixture("b.example.com", "example.com"));
    const v1 = await server.externalVersion();
    expect(v1).not.toBe(v0);
    expect(await cli.externalVersion()).not.toBe(c0); // the server's commit was external to the CLI
    expect((await server.listHosts()).map((h) => h.fqdn)).toEqual(["a.example.com", "b.example.com"]);
    expect(await server.externalVersion()).toBe(v1);
  });

  it("waits for another process's write transaction instead of failing", async () => {
    const path = join(dir, "beacon.db");
    const store = await openAt(path);
    await store.createZone(zoneFixture("example.com"));
    // The other process (think: the CLI) holds the write lock for a moment, then commits.
    const child = spawn(process.execPath, ["-e", HOLD_WRITE_LOCK, path], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => resolve());
      child.once("exit", () => reject(new Error("the lock holder exited before locking")));
    });
    // A deferred BEGIN would read first and then fail with SQLITE_BUSY once the other commit lands.
    await store.createHost(hostFixture("a.example.com", "example.com"));
    expect(await exited).toBe(0);
    expect((await store.getZone("example.com"))?.serial).toBe(1002);
    expect((await store.listHosts()).map((h) => h.fqdn)).toEqual(["a.example.com"]);
  });

  it.each([
    ["random-looking bytes", Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 37 + 11) % 256))],
    ["a text file", Buffer.from("this is not a database\n".repeat(200))],
    ["a truncated SQLite header", Buffer.concat([Buffer.from("SQLite format 3\0"), Buffer.alloc(84, 0xff)])],
  ])("refuses %s with store_unavailable naming the path", async (_label, bytes) => {
    const path = join(dir, "garbage.db");
    await writeFile(path, bytes);
    const err: unknown = await openSqliteStore({ path }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: "BeaconError", code: "store_unavailable" });
    expect((err as Error).message).toContain(path);
    expect(await readFile(path)).toEqual(bytes); // the file is left as it was
  });

  it("refuses a path whose parent is a file with store_unavailable", async () => {
    const parent = join(dir, "file");
    await writeFile(parent, "x");
    const path = join(parent, "beacon.db");
    await expect(openSqliteStore({ path })).rejects.toMatchObject({
      code: "store_unavailable",
      details: { path },
    });
  });

  it.runIf(existsSync("/proc/self"))(
    "refuses a directory that cannot be created (/proc) without hanging",
    async () => {
      const path = "/proc/beacon-nonexistent/beacon.db";
      await expect(openSqliteStore({ path })).rejects.toMatchObject({
        code: "store_unavailable",
        details: { path },
      });
    },
  );

  it("refuses a database migrated by a newer Beacon", async () => {
    const path = join(dir, "beacon.db");
    const s = await openSqliteStore({ path });
    await s.close();
    const raw = new BetterSqlite3(path);
    raw.prepare("insert into kysely_migration (name, timestamp) values (?, ?)").run("9999_future", "now");
    raw.close();
    await expect(openSqliteStore({ path })).rejects.toMatchObject({ code: "store_unavailable" });
  });
});
