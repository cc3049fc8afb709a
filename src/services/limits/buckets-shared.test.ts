// Two Buckets ("two nodes") on one PostgreSQL database (a throwaway cluster), set up as
// cli/bucket-sharing.ts does for PostgreSQL: every bucket persisted, flushed between requests as the
// 1 s timer would (the nodes flush one after the other, as independent timers do). A client spending its
// budget half on each node is refused after the combined budget plus the stated slack (what the other
// node accepted within one flush round: here one request), not twice it; a burst inside one flush
// interval gets at most one limit per node, and the overdraft is then waited off on both nodes.

import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";

import type { Rate } from "../../core/rate.js";
import type { Store } from "../../store/ports.js";
import { openPostgresStore } from "../../store/postgres/postgres-store.js";
import { startCluster } from "../../store/postgres/testing/cluster.js";
import { migratedDatabases, type Databases } from "../../store/postgres/testing/databases.js";
import { createBuckets, type Buckets } from "./buckets.js";

const cluster = await startCluster();
const MIN = 60_000;
const tenPerMinute: Rate = { limit: 10, periodMs: MIN };
const RATES = [tenPerMinute];

describe.skipIf(cluster === undefined)("rate-limit buckets shared by two nodes on PostgreSQL", () => {
  let databases: Databases;
  let stores: Store[];
  let a: Buckets;
  let b: Buckets;
  let now: number;
  beforeAll(async () => {
    databases = await migratedDatabases(cluster!, "buckets");
  });
  beforeEach(async () => {
    const url = await databases.fresh();
    stores = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    now = 1_800_000_000_000;
    const node = (store: Store) => createBuckets({ clock: () => now, store, persistFromMs: 0, shared: true });
    a = node(stores[0]!);
    b = node(stores[1]!);
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const flushBoth = async () => {
    await a.flush();
    await b.flush();
  };

  it("refuses a client alternating between the nodes after the combined budget, not twice it", async () => {
    let allowed = 0;
    for (let i = 0; i < 20; i++) {
      const node = i % 2 === 0 ? a : b;
      if (node.take("client:192.0.2.1", RATES) === undefined) allowed++;
      await flushBoth();
      now += 100;
    }
    // 10 + 1: when the budget ran out on b, a's copy still lacked b's last request (same flush round).
    expect(allowed).toBe(11);
    expect(a.wait("client:192.0.2.1", RATES)).toBeGreaterThan(0);
    expect(b.wait("client:192.0.2.1", RATES)).toBeGreaterThan(0);
  });

  it("a burst inside one flush interval gets at most one limit per node, then waits the overdraft off", async () => {
    const take = (node: Buckets) => node.take("client:192.0.2.2", RATES) === undefined;
    const burst = [
      ...Array.from({ length: 15 }, () => take(a)),
      ...Array.from({ length: 15 }, () => take(b)),
    ];
    expect(burst.filter(Boolean)).toHaveLength(20); // 10 per node: the stated slack (N × limit)
    await flushBoth();
    await flushBoth(); // the first to flush learns the other's consumption at its next flush
    // 20 accepted against 10/min: the bucket is 10 emissions (1 min) over; neither node lets one
    // through until it is back within the limit, however the client spreads its requests.
    for (const wait of [1_000, 30_000, 59_000]) {
      now = 1_800_000_000_000 + wait;
      expect([wait, take(a), take(b)]).toEqual([wait, false, false]);
    }
    now = 1_800_000_000_000 + 66_000;
    expect(take(a)).toBe(true);
    expect(take(b)).toBe(true); // b has not flushed since: its copy lags by a's one request
    await flushBoth();
    await flushBoth();
    expect([take(a), take(b)]).toEqual([false, false]);
  });

  it("a bucket forgotten on one node (a successful sign-in) leaves the store; the other's read-backs do not restore it", async () => {
    for (let i = 0; i < 10; i++) a.take("pair:x", RATES);
    await flushBoth();
    expect(b.take("pair:x", RATES)).toBeUndefined(); // b has no copy yet: it takes one, learns at flush
    await flushBoth();
    await flushBoth();
    expect(b.wait("pair:x", RATES)).toBeGreaterThan(0);
    a.forget("pair:x", RATES);
    await flushBoth();
    await flushBoth();
    // b's read-backs add nothing, so its copy does not bring the deleted row back.
    expect(await stores[0]!.loadLimitBuckets(now)).toEqual([]);
    expect(a.wait("pair:x", RATES)).toBeUndefined();
  });

  it("a node that never saw a client learns its bucket at the flush after its first look (wait)", async () => {
    for (let i = 0; i < 10; i++) a.take("client:192.0.2.3", RATES);
    await flushBoth();
    expect(b.wait("client:192.0.2.3", RATES)).toBeUndefined(); // no copy yet: nothing to refuse from
    await flushBoth();
    expect(b.wait("client:192.0.2.3", RATES)).toBeGreaterThan(0);
    expect(b.take("client:192.0.2.3", RATES)).toBeGreaterThan(0);
  });
});
