// The change listener against a real PostgreSQL (the throwaway cluster): a commit on one store wakes
// another store's listener (not its own commits); after its backend is terminated it reconnects (the
// retry timer, faked here, fired by the test) and wakes once more, as the race rule asks; stopping it
// (or closing the store) while a reconnect is pending cancels the reconnect. Waits poll with a deadline.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Store } from "../ports.js";
import { batch, hostFixture, setA, T0, zoneFixture } from "../testing/fixtures.js";
import { poolFixture } from "../testing/pools-contract.js";
import { LISTENER_APPLICATION } from "./listener.js";
import { openPostgresStore } from "./postgres-store.js";
import { startCluster } from "./testing/cluster.js";
import { migratedDatabases, type Databases } from "./testing/databases.js";
import { manualTimers, until } from "./testing/waits.js";

const cluster = await startCluster();

describe.skipIf(cluster === undefined)("PostgreSQL change listener", () => {
  let databases: Databases;
  beforeAll(async () => {
    databases = await migratedDatabases(cluster!, "listen");
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function twoStores(): Promise<{
    a: Store;
    b: Store;
    db: string;
    timers: ReturnType<typeof manualTimers>;
  }> {
    const url = await databases.fresh();
    const timers = manualTimers();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url, { timers })]);
    await a.createZone(zoneFixture("example.com"));
    await a.createHost(hostFixture("h.example.com", "example.com"));
    return { a, b, db: url.split("/").pop()!, timers };
  }

  const listeners = (db: string) =>
    cluster!.query<{ pid: number }>(
      "select pid from pg_stat_activity where application_name = $1 and datname = $2",
      [LISTENER_APPLICATION, db],
    );

  it("wakes once on (re)connect and on each commit of another store, not on its own; reconnects after its backend is terminated", async () => {
    const { a, b, db, timers } = await twoStores();
    let wakes = 0;
    const stop = b.onExternalChange!(() => wakes++);
    try {
      await until(() => wakes === 1, "the wake after LISTEN");
      await b.commit(batch([setA("h.example.com", ["192.0.2.1"])]));
      await a.commit(batch([setA("h.example.com", ["192.0.2.2"])]));
      // Notifications arrive in commit order, so b's own would have come before a's: it was skipped.
      await until(() => wakes >= 2, "the wake for a's commit");
      expect(wakes).toBe(2);

      const [backend] = await listeners(db);
      await cluster!.query("select pg_terminate_backend($1)", [backend!.pid]);
      await until(() => timers.count === 1, "the reconnect to be scheduled");
      timers.fireAll();
      await until(() => wakes === 3, "the wake after reconnecting");
      const [again] = await listeners(db);
      expect(again!.pid).not.toBe(backend!.pid);
      await a.commit(batch([setA("h.example.com", ["192.0.2.3"])]));
      await until(() => wakes === 4, "a wake on the new connection");
    } finally {
      stop();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("wakes with settings = true for another store's change of TSIG keys, mirrors or host flags, not for its own, and false for zone data", async () => {
    const { a, b } = await twoStores();
    const wakes: boolean[] = [];
    const stop = b.onExternalChange!((settings) => wakes.push(settings));
    try {
      await until(() => wakes.length === 1, "the wake after LISTEN");
      const key = {
        name: "k.example.com",
        algorithm: "hmac-sha256",
        secret: Buffer.alloc(32, 7).toString("base64"),
        names: [{ name: "example.com", subtree: true }],
        types: ["A" as const],
        allowedCidrs: [],
        createdAt: T0,
      };
      await b.createTsigKey({ ...key, name: "own.example.com" }); // b's own: skipped
      await a.createTsigKey(key);
      await until(() => wakes.length >= 2, "the wake for a's key");
      await a.createMirror({
        id: "m1",
        zone: "example.com",
        provider: "cloudflare",
        settings: {},
        createdAt: T0,
      });
      await until(() => wakes.length >= 3, "the wake for a's mirror");
      await a.flagHost({ fqdn: "h.example.com", flaggedAt: T0, reason: "test" });
      await until(() => wakes.length >= 4, "the wake for a's flag");
      await a.commit(batch([setA("h.example.com", ["192.0.2.9"])]));
      await until(() => wakes.length >= 5, "the wake for a's commit");
      // In commit order: after LISTEN, key, mirror, flag (each a settings change), then the zone data
      // (its mirror outbox row is delivery bookkeeping, not a settings change).
      expect(wakes).toEqual([true, true, true, true, false]);
    } finally {
      stop();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("wakes with settings = true for another store's change of pools and overrides, not for states, transitions, roll-ups, heartbeats or the lease", async () => {
    const { a, b } = await twoStores();
    const wakes: boolean[] = [];
    const stop = b.onExternalChange!((settings) => wakes.push(settings));
    try {
      await until(() => wakes.length === 1, "the wake after LISTEN");
      await a.putPool(poolFixture("www.example.com"), T0);
      await until(() => wakes.length >= 2, "the wake for a's pool");
      await a.setOverride("www.example.com", "a", "maintenance", T0);
      await until(() => wakes.length >= 3, "the wake for a's override");
      // Polled, never woken on:
      const state = { pool: "www.example.com", member: "a", status: "up" as const, streak: 0, since: T0 };
      await a.saveMemberHealth("node-a", [state], T0);
      await a.appendTransitions([
        { ...state, at: T0, node: "node-a", from: "unknown", to: "up", reason: "ok" },
      ]);
      await a.addRollups([{ ...state, node: "node-a", minute: T0, ok: 1, fail: 0, rttSumMs: 1 }]);
      await a.recordHeartbeat("h.example.com", T0);
      await a.claimPublisher("node-a", T0, 10_000);
      await a.commit(batch([setA("h.example.com", ["192.0.2.9"])]));
      await until(() => wakes.length >= 4, "the wake for a's commit");
      await a.deletePool("www.example.com");
      await until(() => wakes.length >= 5, "the wake for a's deleted pool");
      // In commit order: LISTEN, pool, override, then the zone data (nothing for what came between), delete.
      expect(wakes).toEqual([true, true, true, false, true]);
    } finally {
      stop();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("stops reconnecting when stopped or when the store closes, and leaves no listening backend", async () => {
    const { a, b, db, timers } = await twoStores();
    let wakes = 0;
    const stop = b.onExternalChange!(() => wakes++);
    const closing = b.onExternalChange!(() => wakes++);
    await until(() => wakes === 2, "both wakes after LISTEN");
    const [first] = await listeners(db);
    for (const { pid } of await listeners(db)) await cluster!.query("select pg_terminate_backend($1)", [pid]);
    await until(() => timers.count === 2, "both reconnects to be scheduled");
    stop();
    expect(timers.count).toBe(1);
    await b.close();
    expect(timers.count).toBe(0);
    closing(); // stopping after close is harmless
    await until(async () => (await listeners(db)).length === 0, "no listening backend");
    expect(first).toBeDefined();
    expect(wakes).toBe(2);
    await a.close();
  });
});
