// The composed PostgreSQL Store against a real server: the whole Store contract (runStoreContract, as
// SQLite's and the memory store's), then what only a shared database shows — two stores ("nodes") on
// one database committing at once, externalVersion seeing the other's writes, mirror leases and the
// pools' publisher lease raced by both, pool states written while the pool is replaced or deleted — and opening refused (a newer schema, no server) as store_unavailable. Bad input tried: an
// unknown zone or host, ids that are not there, 50,000 keys bound as one array.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BeaconError } from "../../core/errors.js";
import type { Store } from "../ports.js";
import { runStoreContract } from "../testing/contract.js";
import { batch, expectCode, hostFixture, serialOf, setA, T0, zoneFixture } from "../testing/fixtures.js";
import { poolFixture } from "../testing/pools-contract.js";
import { openPostgresStore } from "./postgres-store.js";
import { startCluster } from "./testing/cluster.js";
import { migratedDatabases, type Databases } from "./testing/databases.js";

const cluster = await startCluster();

describe.skipIf(cluster === undefined)("PostgreSQL store", () => {
  let databases: Databases;
  beforeAll(async () => {
    databases = await migratedDatabases(cluster!, "store");
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  runStoreContract("postgres", async () => {
    const store = await openPostgresStore(await databases.fresh());
    return { store, cleanup: () => store.close() };
  });

  describe("two stores on one database (two nodes)", () => {
    let a: Store;
    let b: Store;
    beforeAll(async () => {
      const url = await databases.fresh();
      [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
      for (const z of ["one.example", "two.example", "three.example"]) {
        await a.createZone(zoneFixture(z, { serial: 100 }));
        for (const h of ["x", "y"]) await a.createHost(hostFixture(`${h}.${z}`, z));
      }
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it("commit concurrently to overlapping zones in opposite orders: none fails, each advances each serial once", async () => {
      const zones = ["one.example", "two.example", "three.example"];
      const before = await Promise.all(zones.map((z) => serialOf(a, z)));
      const commits = Array.from({ length: 24 }, (_, i) => {
        const order = i % 2 === 0 ? zones : [...zones].reverse();
        const writes = order.map((z, j) => setA(`${j % 2 === 0 ? "x" : "y"}.${z}`, [`192.0.2.${i + 1}`]));
        return (i % 2 === 0 ? a : b).commit(batch(writes, [], T0 + i));
      });
      const results = await Promise.all(commits);
      const after = await Promise.all(zones.map((z) => serialOf(b, z)));
      expect(after).toEqual(before.map((s) => s + 24));
      // Each commit got a distinct serial per zone: one writer at a time.
      for (const z of zones) expect(new Set(results.map((r) => r.serials.get(z))).size).toBe(24);
    });

    it("sees the other's writes in externalVersion, not its own", async () => {
      const va = await a.externalVersion();
      const vb = await b.externalVersion();
      await a.commit(batch([setA("x.one.example", ["198.51.100.1"])]));
      expect(await a.externalVersion()).toBe(va);
      expect(await b.externalVersion()).toBeGreaterThan(vb);
    });

    it("add up concurrent saves of the same new and old rate-limit buckets: nothing lost, no deadlock", async () => {
      const keys = Array.from({ length: 50 }, (_, i) => `race${String(i).padStart(2, "0")}`);
      const saves = Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? a : b).saveLimitBuckets(
          (i % 2 === 0 ? keys : [...keys].reverse()).map((key) => ({ key, consumedMs: 10, tat: T0 + 10 })),
          T0,
        ),
      );
      await Promise.all(saves);
      const saved = await b.loadLimitBuckets(T0);
      expect(saved.filter((s) => s.key.startsWith("race"))).toEqual(
        keys.map((key) => ({ key, tat: T0 + 120 })),
      );
    });

    it("share the TSIG replay memory: a MAC claimed on one is a replay on the other, one of racing claims wins", async () => {
      const now = 1_800_000_000;
      const mac = (n: number) => new Uint8Array(32).fill(n);
      expect(await a.claimTsigMac("k.", mac(1), now + 300, now)).toBe(true);
      expect(await b.claimTsigMac("k.", mac(1), now + 300, now + 1)).toBe(false);
      const race = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).claimTsigMac("k.", mac(2), now + 300, now),
        ),
      );
      expect(race.filter(Boolean)).toHaveLength(1);
      expect(await b.pruneTsigMacs(now + 301, 10)).toBe(2);
      expect(await a.claimTsigMac("k.", mac(1), now + 600, now + 301)).toBe(true);
    });
  });

  describe("the pools between two stores (two nodes)", () => {
    let a: Store;
    let b: Store;
    beforeAll(async () => {
      const url = await databases.fresh();
      [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it("claims racing for the free or an expired publisher lease: exactly one node wins each round", async () => {
      for (let round = 0; round < 8; round++) {
        const now = T0 + round * 10_000; // each round's lease (5 s) expired before the next
        const claims = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).claimPublisher(`node-${i}`, now, 5_000)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        const winner = `node-${claims.indexOf(true)}`;
        expect(await b.claimPublisher(winner, now + 1, 5_000)).toBe(true); // its owner renews
        expect(await a.claimPublisher("late", now + 1, 5_000)).toBe(false);
      }
    });

    it("states, transitions and roll-ups racing a replace and a delete of their pool: no error, nothing of a dropped member or pool left", async () => {
      const name = "race.example.com";
      for (let round = 0; round < 6; round++) {
        await a.putPool(poolFixture(name), T0);
        const state = { pool: name, member: "c", status: "up" as const, streak: 0, since: T0 };
        const writes = [
          b.saveMemberHealth("node-b", [state, { ...state, member: "a" }], T0),
          b.appendTransitions([
            { ...state, at: T0, node: "node-b", from: "unknown", to: "up", reason: "ok" },
          ]),
          b.addRollups([{ ...state, node: "node-b", minute: T0, ok: 1, fail: 0, rttSumMs: 1 }]),
          round % 2 === 0
            ? a.putPool(poolFixture(name, { members: poolFixture().members.slice(0, 2) }), T0 + 1)
            : a.deletePool(name),
        ];
        await Promise.all(writes);
        const members = (await a.listMemberHealth(name)).map((s) => s.member);
        if (round % 2 === 0) expect(members).not.toContain("c");
        else expect([members, await a.listTransitions(name, { limit: 10 })]).toEqual([[], []]);
        await a.deletePool(name);
      }
    });
  });

  describe("mirror leases between two stores (two nodes)", () => {
    let a: Store;
    let b: Store;
    beforeAll(async () => {
      const url = await databases.fresh();
      [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
      await a.createZone(zoneFixture("lease.example"));
      await a.createHost(hostFixture("x.lease.example", "lease.example"));
      for (let i = 0; i < 8; i++)
        await a.createMirror({
          id: `m${i}`,
          zone: "lease.example",
          provider: "cloudflare",
          settings: {},
          createdAt: T0,
        });
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it("claims racing for a free or an expired lease: exactly one node wins each", async () => {
      for (let round = 0; round < 8; round++) {
        const now = T0 + round * 10_000; // each round's leases (5 s) expired before the next
        const claims = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 === 0 ? a : b).claimMirror("m0", `node-${i}`, now, 5_000),
          ),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        const winner = `node-${claims.indexOf(true)}`;
        expect((await b.mirrorStatus()).find((s) => s.id === "m0")?.lease).toEqual({
          owner: winner,
          until: now + 5_000,
        });
      }
    });

    it("an ack racing a takeover takes effect only if it came first: the row is delivered or pending, never lost", async () => {
      for (let i = 1; i < 8; i++) {
        const id = `m${i}`;
        await a.commit(batch([setA("x.lease.example", [`192.0.2.${i}`])], [], T0));
        expect(await a.claimMirror(id, "node-a", T0, 1_000)).toBe(true);
        const seqs = (await a.pendingOutbox(id, 100)).map((r) => r.seq);
        // node-a stalled past its lease; node-b takes over while node-a acks.
        const [ack, claim] = await Promise.all([
          a.ackOutbox(id, seqs, T0 + 2_000, "delivered", "node-a"),
          b.claimMirror(id, "node-b", T0 + 2_000, 1_000),
        ]);
        expect(claim).toBe(true);
        const after = (await b.mirrorStatus()).find((s) => s.id === id);
        expect(after?.lease?.owner).toBe("node-b");
        expect(after?.pending).toBe(ack ? 0 : seqs.length);
        expect(after?.delivered).toBe(ack ? seqs.length : 0);
        // Whoever won, node-a can no longer record anything.
        expect(await a.failMirror(id, { code: "x", message: "y", at: T0, nextTryAt: T0 })).toBe(true);
        expect(await a.failMirror(id, { code: "x", message: "y", at: T0, nextTryAt: T0 }, "node-a")).toBe(
          false,
        );
      }
    });
  });

  describe("the change log in commit order (two writing stores, one reading)", () => {
    const zones = Array.from({ length: 16 }, (_, i) => `z${i}.example`);
    const hosts = zones.flatMap((z) => Array.from({ length: 8 }, (_, j) => `h${j}.${z}`));
    let url: string;
    let stores: Store[];
    beforeAll(async () => {
      url = await databases.fresh();
      stores = await Promise.all([0, 1, 2].map(() => openPostgresStore(url)));
      for (const z of zones) {
        await stores[0]!.createZone(zoneFixture(z, { serial: 100 }));
        for (const h of hosts.filter((f) => f.endsWith(`.${z}`)))
          await stores[0]!.createHost(hostFixture(h, z));
      }
    });
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
    });

    it("a reader following changesSince from its last position misses no change of concurrent writers", async () => {
      const [a, b, reader] = stores as [Store, Store, Store];
      // Each host is written exactly once, so a change skipped by the reader is never repaired by a
      // later change to the same host: it stays missing from what the reader applied.
      const expected = new Map(hosts.map((h, i) => [h, [`10.0.${i >> 8}.${i & 255}`]]));
      const applied = new Map<string, string[]>();
      let position = await reader.changeSeq();
      const follow = async () => {
        const delta = await reader.changesSince(position, 100_000);
        if (delta === undefined) throw new Error(`the log cannot say what followed ${position}`);
        for (const r of delta.rrsets) if (r.type === "A") applied.set(r.fqdn, [...r.values]);
        position = delta.seq;
      };
      let writing = true;
      const reading = (async () => {
        while (writing) await follow();
      })();
      await Promise.all(
        hosts.map((h, i) => (i % 2 === 0 ? a : b).commit(batch([setA(h, expected.get(h)!)], [], T0 + i))),
      );
      writing = false;
      await reading;
      await follow();
      expect(applied).toEqual(expected);
      // No gaps either: seqs are handed out at commit, one after another.
      const seqs = await cluster!.query<{ seq: string }>(
        "select seq from changes order by seq",
        [],
        url.split("/").pop(),
      );
      expect(seqs.map((r) => Number(r.seq))).toEqual(seqs.map((_, i) => i + 1));
    });
  });

  describe("bad input", () => {
    let store: Store;
    beforeAll(async () => {
      store = await openPostgresStore(await databases.fresh());
    });
    afterAll(async () => {
      await store.close();
    });

    it("refuses a host in an unknown zone and a write to an unknown host, changing nothing", async () => {
      await expectCode(
        store.createHost(hostFixture("a.nowhere.example", "nowhere.example")),
        "zone_not_found",
      );
      await expectCode(store.commit(batch([setA("a.nowhere.example", ["192.0.2.1"])])), "host_not_found");
      await expectCode(store.updateZone("nowhere.example", { ttl: 30 }), "zone_not_found");
      expect(await store.deleteZone("nowhere.example")).toBe(false);
      expect(await store.deleteHost("a.nowhere.example")).toBe(false);
      expect(await store.changeSeq()).toBe(0);
    });

    it("binds 50,000 keys as one array parameter", async () => {
      const kept = ["k0", "k1", "k2"];
      await store.saveLimitBuckets(
        kept.map((key) => ({ key, consumedMs: 10, tat: T0 + 10 })),
        T0,
      );
      const many = Array.from({ length: 50_000 }, (_, i) => `k${i + 1}`);
      await store.deleteLimitBuckets([...many, 'it\'s "quoted"']);
      expect(await store.loadLimitBuckets(T0)).toEqual([{ key: "k0", tat: T0 + 10 }]);
      const seqs = Array.from({ length: 50_000 }, (_, i) => i);
      await store.ackOutbox("no-such-mirror", seqs, T0);
      expect(await store.mirrorStatus()).toEqual([]);
    });
  });

  describe("opening", () => {
    it("refuses a database written by a newer Beacon with store_unavailable, saying so", async () => {
      const url = await databases.fresh();
      await cluster!.query(
        "insert into kysely_migration values ('9999_future', 'x')",
        [],
        url.split("/").pop(),
      );
      const e: unknown = await openPostgresStore(url).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BeaconError);
      expect(e).toMatchObject({ code: "store_unavailable" });
      expect((e as BeaconError).message).toContain("written by a newer Beacon (it has migration 9999_future");
    });

    it("with migrate: false, refuses an unmigrated database without creating anything, then opens it once migrated", async () => {
      const url = await cluster!.createDatabase("never_migrated");
      const e: unknown = await openPostgresStore(url, { migrate: false }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "store_unavailable" });
      expect((e as BeaconError).message).toContain("run `beacon migrate`");
      const tables = await cluster!.query(
        "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
        [],
        url.split("/").pop(),
      );
      expect(tables).toEqual([{ n: 0 }]);
      await (await openPostgresStore(url)).close();
      const store = await openPostgresStore(url, { migrate: false });
      expect(await store.listZones()).toEqual([]);
      await store.close();
    });

    it("fails with store_unavailable when no server answers", async () => {
      await expectCode(openPostgresStore("postgres://postgres@127.0.0.1:1/beacon"), "store_unavailable");
    });
  });
});
