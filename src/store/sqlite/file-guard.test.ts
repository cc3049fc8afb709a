// The database files deleted, replaced or made read-only under an open store. Hostile inputs: rm of
// the database file, rm of its -wal (commits since the last checkpoint live only there), another file
// renamed over it or over its -wal, chattr +i on it (root only; skips loudly without).

import { execFileSync } from "node:child_process";
import { copyFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { Store } from "../ports.js";
import { hostFixture, zoneFixture } from "../testing/fixtures.js";
import { openSqliteStore } from "./sqlite-store.js";
import { faultAvailable } from "./testing/faults.js";

const setA = (fqdn: string, value: string) => ({
  writes: [{ fqdn, type: "A" as const, rrset: { ttl: 60, values: [value] } }],
  history: [],
  at: 1,
});

/** Waits (bounded: 60 × 50 ms) for the store's once-a-second check to see something. */
async function until(store: Store, writable: boolean): Promise<void> {
  for (let i = 0; i < 60 && store.health().writable !== writable; i++)
    await new Promise((r) => setTimeout(r, 50));
}

describe("the file guard", () => {
  let dir: string;
  let path: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-guard-"));
    path = join(dir, "beacon.db");
    store = await openSqliteStore({ path });
    await store.createZone(zoneFixture("example.com"));
    await store.createHost(hostFixture("a.example.com", "example.com"));
    await store.commit(setA("a.example.com", "192.0.2.1"));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The one rescued copy, opened as a database. */
  async function rescued(): Promise<Store> {
    const copies = readdirSync(dir).filter((n) => n.startsWith("beacon.db.rescued-"));
    expect(copies).toHaveLength(1);
    return openSqliteStore({ path: join(dir, copies[0]!), create: false });
  }

  it.each([
    ["the database file deleted", () => rmSync(path), "was deleted"],
    ["its WAL deleted", () => rmSync(`${path}-wal`), "was deleted"],
    [
      "another file renamed over it",
      () => {
        copyFileSync(path, `${path}.other`);
        renameSync(`${path}.other`, path);
      },
      "was replaced by another file",
    ],
  ])(
    "%s: the next write is refused, later ones too, and everything is rescued",
    async (_label, fault, words) => {
      fault();
      // The commit lands in the vanished file; it must not be acknowledged.
      await expect(store.commit(setA("a.example.com", "192.0.2.2"))).rejects.toMatchObject({
        code: "store_unavailable",
        message: expect.stringContaining(words) as unknown,
      });
      expect(store.health()).toMatchObject({ writable: false, problem: { code: "store_unavailable" } });
      // Refused before writing, on both write paths.
      await expect(store.createHost(hostFixture("b.example.com", "example.com"))).rejects.toMatchObject({
        code: "store_unavailable",
      });
      await expect(store.commit(setA("a.example.com", "192.0.2.3"))).rejects.toMatchObject({
        code: "store_unavailable",
      });
      expect((await store.getRRSets("a.example.com"))[0]?.values).toEqual(["192.0.2.2"]); // reads go on
      const copy = await rescued();
      try {
        expect((await copy.listHosts()).map((h) => h.fqdn)).toEqual(["a.example.com"]);
        expect((await copy.getRRSets("a.example.com"))[0]?.values).toEqual(["192.0.2.2"]);
      } finally {
        await copy.close();
      }
    },
  );

  it("a WAL replaced by another file (not deleted) is found by the once-a-second check", async () => {
    // After a commit only the WAL's presence is checked (file-guard.ts): its identity waits for check().
    copyFileSync(`${path}-wal`, `${path}-wal.other`);
    renameSync(`${path}-wal.other`, `${path}-wal`);
    await until(store, false);
    expect(store.health()).toMatchObject({
      writable: false,
      problem: { code: "store_unavailable", message: expect.stringContaining("was replaced") as unknown },
    });
    await expect(store.commit(setA("a.example.com", "192.0.2.2"))).rejects.toMatchObject({
      code: "store_unavailable",
    });
    const copy = await rescued();
    await copy.close();
  });

  const chattr = faultAvailable("make a file immutable (chattr +i)", () => {
    const probe = join(tmpdir(), `beacon-chattr-${process.pid}`);
    writeFileSync(probe, "");
    try {
      execFileSync("chattr", ["+i", probe], { stdio: "pipe" });
      execFileSync("chattr", ["-i", probe], { stdio: "pipe" });
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it.runIf(chattr)("an immutable database file is reported, and cleared once writable again", async () => {
    execFileSync("chattr", ["+i", path]);
    try {
      await until(store, false);
      expect(store.health()).toMatchObject({
        writable: false,
        problem: { code: "store_read_only", message: expect.stringContaining(`${path}: EPERM`) as unknown },
      });
      // A server opening it now refuses to start.
      await expect(openSqliteStore({ path, requireWritable: true, create: false })).rejects.toMatchObject({
        code: "store_read_only",
      });
    } finally {
      execFileSync("chattr", ["-i", path]);
    }
    await until(store, true);
    expect(store.health()).toEqual({ writable: true });
  });
});
