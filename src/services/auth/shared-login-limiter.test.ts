// The sign-in limiter of two nodes on one PostgreSQL database (a throwaway cluster), wired as
// cli/admin-console.ts does on PostgreSQL (each node's own limiter plus shared budgets in Buckets,
// flushed between attempts as the 1 s timer would). A guesser alternating between the nodes is stopped
// after the shared budget plus the stated slack, not after 5 per node; the owner from another network
// still signs in; a success clears only that account from that network; the account key alone never
// gets a shared lock. Bad input: a 10,000-character user name.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { Store } from "../../store/ports.js";
import { openPostgresStore } from "../../store/postgres/postgres-store.js";
import { startCluster } from "../../store/postgres/testing/cluster.js";
import { migratedDatabases, type Databases } from "../../store/postgres/testing/databases.js";
import { createBuckets, type Buckets } from "../limits/buckets.js";
import { attemptKeys, createLoginLimiter, successKeys, type LoginLimiter } from "./login-limiter.js";
import { shareLoginLimiter } from "./shared-login-limiter.js";

const cluster = await startCluster();
const GUESSER = "ip:203.0.113.7";
const OWNER = "ip:198.51.100.1";

describe.skipIf(cluster === undefined)("sign-in limits shared by two nodes on PostgreSQL", () => {
  let databases: Databases;
  let stores: Store[];
  let buckets: Buckets[];
  let nodes: LoginLimiter[];
  let now: number;
  beforeAll(async () => {
    databases = await migratedDatabases(cluster!, "login");
  });
  beforeEach(async () => {
    const url = await databases.fresh();
    stores = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    now = 1_800_000_000_000;
    const clock = () => now;
    buckets = stores.map((store) => createBuckets({ clock, store, persistFromMs: 0, shared: true }));
    nodes = buckets.map((b) => shareLoginLimiter(createLoginLimiter({ clock }), b));
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const flushAll = async () => {
    for (const b of buckets) await b.flush();
  };

  /** Wrong passwords from `client` for `user`, alternating nodes, until both refuse; how many got in. */
  async function guess(user: string, client: string, max = 20): Promise<number> {
    let tried = 0;
    for (let i = 0; i < max; i++) {
      const node = nodes[i % 2]!;
      const keys = attemptKeys(user, client);
      if (node.check(keys) === undefined) {
        node.failed(keys);
        tried++;
      }
      await flushAll();
      now += 1_000;
    }
    return tried;
  }

  it("stops a guesser alternating between the nodes after 5 failures plus the slack, not 5 per node", async () => {
    // 5, and at most 1 more: the other node's copy may lack the last failure (one flush round).
    const tried = await guess("admin", GUESSER);
    expect(tried).toBeGreaterThanOrEqual(5);
    expect(tried).toBeLessThanOrEqual(6);
    for (const node of nodes) expect(node.check(attemptKeys("someone-else", GUESSER))).toBeGreaterThan(0);
    // The owner, from a network that never failed, signs in on either node.
    for (const node of nodes) expect(node.check(attemptKeys("admin", OWNER))).toBeUndefined();
  });

  it("a success clears that account from that network in the shared budgets, not the network", async () => {
    const pair = attemptKeys("admin", OWNER);
    for (let i = 0; i < 4; i++) nodes[0]!.failed(pair);
    await flushAll();
    nodes[1]!.check(pair); // node 1 looks: it reads the shared budgets back at its next flush
    await flushAll();
    nodes[0]!.succeeded(successKeys("admin", OWNER));
    await flushAll();
    await flushAll();
    const keys = (await stores[0]!.loadLimitBuckets(now)).map((r) => r.key);
    expect(keys.filter((k) => k.startsWith("login|pair:"))).toEqual([]);
    expect(keys.filter((k) => k.startsWith(`login|${OWNER}|`))).toHaveLength(3);
    // The network's 4 failures still count everywhere: one more on node 1 and node 0 refuses it too
    // (once it has looked and read the budget back).
    nodes[1]!.failed(attemptKeys("other", OWNER));
    await flushAll();
    nodes[0]!.check(attemptKeys("other", OWNER));
    await flushAll();
    expect(nodes[0]!.check(attemptKeys("other", OWNER))).toBeGreaterThan(0);
  });

  it("never locks an account for everyone, and keeps a 10,000-character user name bounded", async () => {
    const long = "a".repeat(10_000);
    expect(await guess(long, GUESSER)).toBeLessThanOrEqual(6);
    const rows = await stores[0]!.loadLimitBuckets(now);
    expect(rows.some((r) => r.key.startsWith("login|user:"))).toBe(false);
    expect(Math.max(...rows.map((r) => r.key.length))).toBeLessThan(400);
    for (const node of nodes) expect(node.check(attemptKeys(long, OWNER))).toBeUndefined();
  });
});
