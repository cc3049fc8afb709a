// Mirror delivery by several nodes against a real PostgreSQL server (a throwaway cluster): two
// workers, each on its own store over one database, as two `beacon serve` nodes. What it shows: each
// change reaches the vendor once, never from two nodes at the same time, and when the node holding a
// mirror is killed mid-delivery the other takes over after the lease and delivers everything queued.
// Real timers with a short lease (deliveryTimeoutMs 1 s, so 2 s: ample on a loaded machine); every
// wait is bounded.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { systemTimers } from "../../core/timers.js";
import type { Log } from "../../core/log.js";
import type { Provider, WriteRequest } from "../../providers/types.js";
import type { Store } from "../../store/ports.js";
import { openPostgresStore } from "../../store/postgres/postgres-store.js";
import { startCluster } from "../../store/postgres/testing/cluster.js";
import { migratedDatabases, type Databases } from "../../store/postgres/testing/databases.js";
import { hostFixture, zoneFixture } from "../../store/testing/fixtures.js";
import { createMirrorWorker, type MirrorWorker } from "./worker.js";

const cluster = await startCluster();
const ZONE = "nodes.example";
const HOSTS = ["a", "b", "c", "d"].map((h) => `${h}.${ZONE}`);
const MIRRORS = ["m1", "m2"];
const quiet: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The vendor's side of every mirror: what it was sent, and how many calls were in flight at once. */
class Vendor {
  readonly writes = new Map<string, string[]>(MIRRORS.map((m) => [m, []]));
  readonly inFlight = new Map<string, number>();
  maxInFlight = 0;

  /** A node's provider for mirror `id`; `hang` makes a call never return (as if the node died in it). */
  provider(id: string, hang: () => boolean = () => false): Provider {
    const upsert = async (req: WriteRequest): Promise<"changed"> => {
      const n = (this.inFlight.get(id) ?? 0) + 1;
      this.inFlight.set(id, n);
      this.maxInFlight = Math.max(this.maxInFlight, n);
      try {
        if (hang()) await new Promise(() => undefined);
        await sleep(2);
        this.writes.get(id)?.push(`${req.fqdn} ${req.values.join(",")}`);
        return "changed";
      } finally {
        this.inFlight.set(id, (this.inFlight.get(id) ?? 1) - 1);
      }
    };
    return {
      id,
      type: "fake",
      capabilities: { types: ["A"], read: false, delete: true, multiValue: true, ttl: true },
      get: () => Promise.resolve(undefined),
      upsert,
      delete: () => Promise.resolve("changed"),
    };
  }
}

describe.skipIf(cluster === undefined)("mirror delivery by two nodes on PostgreSQL", () => {
  let databases: Databases;
  let stores: Store[] = [];
  let workers: MirrorWorker[] = [];
  beforeAll(async () => {
    databases = await migratedDatabases(cluster!, "mirrornodes");
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(stores.map((s) => s.close()));
    workers = [];
    stores = [];
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function twoStores(): Promise<[Store, Store]> {
    const url = await databases.fresh();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    stores.push(a, b);
    await a.createZone(zoneFixture(ZONE));
    for (const h of HOSTS) await a.createHost(hostFixture(h, ZONE));
    for (const id of MIRRORS)
      await a.createMirror({ id, zone: ZONE, provider: "fake", settings: {}, createdAt: Date.now() });
    return [a, b];
  }

  function startNode(store: Store, node: string, vendor: Vendor, hang?: () => boolean): MirrorWorker {
    const w = createMirrorWorker({
      store,
      provider: (m) => vendor.provider(m.id, hang),
      clock: () => Date.now(),
      log: quiet,
      timers: systemTimers,
      deliveryTimeoutMs: 1_000,
      node,
    });
    workers.push(w);
    w.start();
    return w;
  }

  /** Commits `n` changes spread over the hosts and both stores, kicking both nodes after each. */
  async function storm(s: readonly Store[], nodes: readonly MirrorWorker[], from: number, n: number) {
    for (let i = from; i < from + n; i++) {
      const fqdn = HOSTS[i % HOSTS.length] ?? "";
      await s[i % s.length]?.commit({
        writes: [{ fqdn, type: "A", rrset: { ttl: 60, values: [`198.51.100.${i}`] } }],
        history: [],
        at: Date.now(),
      });
      for (const w of nodes) w.kick();
      if (i % 7 === 0) await sleep(5);
    }
  }

  /** Waits (at most 15 s) until no mirror has anything pending. */
  async function drained(store: Store): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if ((await store.mirrorStatus()).every((m) => m.pending === 0)) return;
      await sleep(50);
    }
    throw new Error("the outbox did not drain in 15 s");
  }

  /** Each host's last value of the storm is what the vendor holds, and no write came twice. */
  function expectDelivered(vendor: Vendor, upTo: number): void {
    for (const id of MIRRORS) {
      const writes = vendor.writes.get(id) ?? [];
      expect(new Set(writes).size).toBe(writes.length);
      for (const [k, fqdn] of HOSTS.entries()) {
        const last = Math.max(
          ...Array.from({ length: upTo }, (_, i) => i).filter((i) => i % HOSTS.length === k),
        );
        expect(writes.filter((w) => w.startsWith(`${fqdn} `)).at(-1)).toBe(`${fqdn} 198.51.100.${last}`);
      }
    }
  }

  it("deliver each change once, never from both nodes at the same time", async () => {
    const [a, b] = await twoStores();
    const vendor = new Vendor();
    const nodes = [startNode(a, "node-a", vendor), startNode(b, "node-b", vendor)];
    await storm([a, b], nodes, 0, 60);
    await drained(a);
    expect(vendor.maxInFlight).toBe(1);
    expectDelivered(vendor, 60);
    for (const m of await b.mirrorStatus())
      expect(m).toMatchObject({ pending: 0, delivered: 60, attempts: 0 });
  });

  it("a node killed mid-delivery is taken over after its lease; the other delivers everything", async () => {
    const [a, b] = await twoStores();
    const vendor = new Vendor();
    let started = 0;
    // node-a's calls never return and it never looks at the store again: as if killed in them.
    const nodeA = startNode(a, "node-a", vendor, () => {
      started += 1;
      return true;
    });
    await storm([a], [nodeA], 0, 1);
    for (let i = 0; i < 100 && started < MIRRORS.length; i++) await sleep(20);
    expect(started).toBe(MIRRORS.length);
    expect((await b.mirrorStatus()).map((m) => m.lease?.owner)).toEqual(["node-a", "node-a"]);

    const nodeB = startNode(b, "node-b", vendor);
    await storm([a, b], [nodeB], 1, 30);
    await drained(b);
    expectDelivered(vendor, 31);
    for (const m of await b.mirrorStatus())
      expect(m).toMatchObject({ pending: 0, delivered: 31, lease: { owner: "node-b" } });
  });
});
