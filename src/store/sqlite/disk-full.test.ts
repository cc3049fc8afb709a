// A disk that fills up, for real: a tiny tmpfs filled to a chosen number of free bytes. Needs root
// (mount); skips loudly without it. Hostile inputs: every free-space size in 4 KiB steps from 0 to a little past the
// first size the whole upgrade fits in, during an upgrade from the first schema, and a full disk under both write paths (Kysely
// transactions, the raw update path).

import { copyFileSync, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { silentLog } from "../../core/log.js";
import { hostFixture, zoneFixture } from "../testing/fixtures.js";
import { openDatabase } from "./connection.js";
import { MIGRATIONS } from "./migrations/index.js";
import { openSqliteStore } from "./sqlite-store.js";
import { faultAvailable, mountTinyFs, type TinyFs } from "./testing/faults.js";
import { schemaOf } from "./testing/temp-store.js";

const names = Object.keys(MIGRATIONS).sort();
const HOSTS = 300;

const mounted = faultAvailable("fill a tiny file system", () => mountTinyFs(1 << 20).remove());

describe.runIf(mounted)("a full disk", () => {
  let fs: TinyFs;
  let work: string;
  /** A database at the first migration, with hosts, outside the tiny file system. */
  let seed: string;
  /** Schema after each number of migrations applied. */
  const reference = new Map<number, unknown[]>();

  beforeAll(async () => {
    fs = mountTinyFs(2 << 20);
    work = await mkdtemp(join(tmpdir(), "beacon-disk-full-"));
    for (let n = 1; n <= names.length; n++) {
      const path = join(work, `ref-${n}.db`);
      const migrations = Object.fromEntries(names.slice(0, n).map((k) => [k, MIGRATIONS[k]!]));
      const { raw } = await openDatabase(path, silentLog, { migrations });
      if (n === 1) {
        raw.exec(`insert into zones values ('example.com', 1, 60, 'ns', 'hm', 1, 1, 1, 1, '["ns"]', 0)`);
        const host = raw.prepare("insert into hosts values (?, 'example.com', null, ?, 0)");
        for (let i = 0; i < HOSTS; i++) host.run(`h${i}.example.com`, "x".repeat(200));
        raw.pragma("wal_checkpoint(TRUNCATE)");
      }
      raw.close();
      reference.set(n, schemaOf(path).schema);
    }
    seed = join(work, "ref-1.db");
  });
  afterAll(async () => {
    fs?.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("an upgrade commits each migration whole or not at all, at every free-space size", async () => {
    const outcomes = new Map<string, number>();
    // From no room at all up to a few sizes past the first that fits the whole upgrade (bounded: the
    // schema grows with every migration, so a fixed upper size would stop exercising the last ones).
    let fitsFrom: number | undefined;
    for (
      let free = 0;
      free <= 1024 * 1024 && (fitsFrom === undefined || free <= fitsFrom + 16 * 1024);
      free += 4096
    ) {
      fs.clear();
      const path = join(fs.dir, "beacon.db");
      copyFileSync(seed, path);
      fs.leaveFree(free);
      const result = await openSqliteStore({ path }).then(
        async (s) => {
          await s.close();
          return "ok";
        },
        (e: unknown) => e,
      );
      fs.unfill(); // (reading needs room for SQLite's shared-memory file)
      const { schema, recorded } = schemaOf(path);
      expect(schema, `schema after ${recorded.length} migrations, ${free} bytes free`).toEqual(
        reference.get(recorded.length),
      );
      if (result !== "ok") {
        expect(result, `${free} bytes free`).toMatchObject({
          code: "store_full",
          message: expect.stringContaining("disk is full") as unknown,
        });
      }
      if (result === "ok") fitsFrom ??= free;
      const key = result === "ok" ? "ok" : `failed after ${recorded.length}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

      const again = await openSqliteStore({ path });
      expect((await again.listHosts()).length, `${free} bytes free, then room`).toBe(HOSTS);
      await again.close();
      expect(schemaOf(path).recorded).toEqual(names);
    }
    // The sweep really exercised failures at several points, and successes.
    expect(outcomes.get("ok")).toBeGreaterThan(0);
    expect([...outcomes.keys()].filter((k) => k !== "ok").length).toBeGreaterThan(0);
  });

  it("reports a full disk as store_full with SQLite's words on both write paths, and writes nothing", async () => {
    fs.clear();
    const path = join(fs.dir, "beacon.db");
    const store = await openSqliteStore({ path });
    await store.createZone(zoneFixture("example.com"));
    await store.createHost(hostFixture("a.example.com", "example.com"));
    const before = await store.snapshot();
    const seq = await store.changeSeq();
    fs.leaveFree(0);
    const big = "x".repeat(256 * 1024); // more than any WAL space already allocated
    // Kysely's transaction (createHost), whose rollback SQLite already did itself.
    await expect(
      store.createHost(hostFixture("b.example.com", "example.com", { description: big })),
    ).rejects.toMatchObject({
      code: "store_full",
      message: expect.stringMatching(/createHost failed: .*disk is full/) as unknown,
    });
    // The raw update path (commit).
    await expect(
      store.commit({
        writes: [
          {
            fqdn: "a.example.com",
            type: "TXT",
            rrset: { ttl: 60, values: Array.from({ length: 400 }, () => big.slice(0, 250)) },
          },
        ],
        history: [],
        at: 1,
      }),
    ).rejects.toMatchObject({
      code: "store_full",
      message: expect.stringContaining("disk is full") as unknown,
    });
    fs.unfill();
    expect(await store.snapshot()).toEqual(before);
    expect(await store.changeSeq()).toBe(seq);
    await store.createHost(hostFixture("b.example.com", "example.com", { description: big }));
    expect((await store.listHosts()).map((h) => h.fqdn)).toEqual(["a.example.com", "b.example.com"]);
    await store.close();
    expect(existsSync(path)).toBe(true);
  });
});
