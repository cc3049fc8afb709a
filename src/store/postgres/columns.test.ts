// An older node against a schema a migration ahead (a rolling upgrade: docs/deploy/several-nodes.md):
// a store that has prepared its reads keeps answering, with the same results, after another node adds
// a column to every table. A prepared `select *` would fail there with "cached plan must not change
// result type" on every later call (one pooled connection, so the second round reuses the prepared
// statements of the first).

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Store } from "../ports.js";
import { batch, hostFixture, setA, T0, tokenFixture, zoneFixture } from "../testing/fixtures.js";
import { openPostgresStore } from "./postgres-store.js";
import { startCluster } from "./testing/cluster.js";
import { migratedDatabases } from "./testing/databases.js";
import { poolFixture } from "../testing/pools-contract.js";

const cluster = await startCluster();

const ZONE = "older.example";
const HOST = `home.${ZONE}`;
const POOL = `www.${ZONE}`;

/** Every read of a whole row the store has, in one result to compare. */
async function readEverything(store: Store) {
  return {
    zones: await store.listZones(),
    zone: await store.getZone(ZONE),
    hosts: await store.listHosts(),
    host: await store.getHost(HOST),
    rrsets: await store.getRRSets(HOST),
    snapshot: await store.snapshot(),
    tokens: await store.listTokens(),
    token: await store.getToken("tk_old"),
    bySecret: await store.findTokenBySecretHash(tokenFixture("tk_old").secretHash),
    keys: await store.listTsigKeys(),
    users: await store.listUsers(),
    user: await store.getUser("admin"),
    session: await store.getSession("a".repeat(64)),
    history: await store.listHistory(HOST),
    hostHistory: await store.listHistory(HOST, { hostId: (await store.getHost(HOST))?.id }),
    flags: await store.listHostFlags(),
    mirrors: await store.listMirrors(),
    mirror: await store.getMirror("m1"),
    outbox: await store.pendingOutbox("m1", 100),
    mirrorStatus: await store.mirrorStatus(),
    changes: await store.changesSince(0, 1_000),
    zoneLog: await store.zoneLog(ZONE, (await store.getZone(ZONE))!.serial, 1_000),
    pools: await store.listPools(),
    pool: await store.getPool(POOL),
    memberHealth: await store.listMemberHealth(),
    transitions: await store.listTransitions(POOL, { limit: 10 }),
    rollups: await store.listRollups(POOL, 0),
  };
}

describe.skipIf(cluster === undefined)("PostgreSQL: an older node after a newer one's migration", () => {
  let store: Store;
  let db: string;
  beforeAll(async () => {
    const url = await (await migratedDatabases(cluster!, "columns")).fresh();
    db = url.split("/").pop()!;
    store = await openPostgresStore(url, { max: 1 });
    await store.createZone(zoneFixture(ZONE));
    await store.createHost(hostFixture(HOST, ZONE));
    await store.createMirror({ id: "m1", zone: ZONE, provider: "cloudflare", settings: {}, createdAt: T0 });
    await store.commit(batch([setA(HOST, ["192.0.2.7"])]));
    await store.claimMirror("m1", "node-a", T0, 60_000);
    await store.createToken(tokenFixture("tk_old"));
    await store.createTsigKey({
      name: "key.older.example",
      algorithm: "hmac-sha256",
      secret: Buffer.alloc(32, 1).toString("base64"),
      names: [{ name: ZONE, subtree: true }],
      types: ["A"],
      allowedCidrs: [],
      createdAt: T0,
    });
    const user = {
      name: "admin",
      passwordHash: "x",
      role: "admin",
      createdAt: T0,
      passwordChangedAt: T0,
    } as const;
    await store.createUser(user);
    await store.flagHost({ fqdn: HOST, flaggedAt: T0, reason: "nochg storm" });
    await store.putPool(poolFixture(POOL), T0);
    await store.setOverride(POOL, "a", "maintenance", T0);
    await store.saveMemberHealth(
      "node-a",
      [{ pool: POOL, member: "a", status: "up", streak: 0, since: T0 }],
      T0,
    );
    await store.appendTransitions([
      { at: T0, pool: POOL, member: "a", node: "node-a", from: "unknown", to: "up", reason: "2 successes" },
    ]);
    await store.addRollups([
      {
        pool: POOL,
        member: "a",
        node: "node-a",
        minute: T0,
        ok: 1,
        fail: 0,
        rttMinMs: 1,
        rttMaxMs: 1,
        rttSumMs: 1,
      },
    ]);
    await store.createSession({
      idHash: "a".repeat(64),
      user: "admin",
      csrfToken: "c",
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + 1e9,
    });
  });
  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  it("keeps reading the same rows after every table gains a column", async () => {
    const before = await readEverything(store);
    expect(before.rrsets).toHaveLength(1);
    expect(before.outbox).toHaveLength(1);
    expect(before.mirrorStatus[0]?.lease?.owner).toBe("node-a");
    expect(before.zoneLog).toBeDefined();
    expect(before.pool?.overrides).toEqual({ a: "maintenance" });
    expect([before.memberHealth, before.transitions, before.rollups].map((l) => l.length)).toEqual([1, 1, 1]);
    const tables = await cluster!.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public'",
      [],
      db,
    );
    expect(tables.length).toBeGreaterThan(10);
    for (const { tablename } of tables)
      await cluster!.query(`alter table "${tablename}" add column newer_node text default 'x'`, [], db);
    expect(await readEverything(store)).toEqual(before);
  });
});
