// Webhooks delivered by two nodes on one PostgreSQL database (a throwaway cluster): two stores, each
// with its delivery worker and change follower, as two `beacon serve` nodes. Each event — emitted
// through the Notifier, or an address change committed on either node — reaches the receiver exactly
// once, in order. Passes are run by hand, concurrently on both nodes; every loop is bounded.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { silentLog } from "../../core/log.js";
import { createHttpRequest } from "../../net/http-request.js";
import type { Store } from "../../store/ports.js";
import { openPostgresStore } from "../../store/postgres/postgres-store.js";
import { startCluster } from "../../store/postgres/testing/cluster.js";
import { migratedDatabases, type Databases } from "../../store/postgres/testing/databases.js";
import { hostFixture, setA, T0, zoneFixture } from "../../store/testing/fixtures.js";
import { ChangeFollower } from "./follower.js";
import { createNotifier } from "./notifier.js";
import { ManualTimers, startReceiver } from "./testing.js";
import { checkWebhook } from "./webhooks.js";
import { DeliveryWorker } from "./worker.js";

const cluster = await startCluster();

describe.skipIf(cluster === undefined)("webhooks delivered by two nodes on PostgreSQL", () => {
  let databases: Databases;
  beforeAll(async () => {
    databases = await migratedDatabases(cluster!, "webhooknodes");
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("delivers each event exactly once, in order, whichever node emitted or committed it", async () => {
    const url = await databases.fresh();
    const stores: Store[] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const receiver = await startReceiver();
    try {
      const [a, b] = stores as [Store, Store];
      await a.createZone(zoneFixture("example.com"));
      await a.createHost(hostFixture("h.example.com", "example.com"));
      await a.createWebhook(checkWebhook({ id: "w", url: receiver.url, secret: "0123456789abcdef" }, T0));
      let ids = 0;
      const nodes = stores.map((store, i) => ({
        store,
        worker: new DeliveryWorker({
          store,
          http: createHttpRequest(),
          node: `n${i}`,
          userAgent: "Beacon/test",
          clock: () => T0,
          timers: new ManualTimers(),
          random: () => 0.5,
          log: silentLog,
        }),
        follower: new ChangeFollower({
          store,
          node: `n${i}`,
          clock: () => T0,
          timers: new ManualTimers(),
          log: silentLog,
        }),
        notifier: createNotifier({ store, clock: () => T0, newId: () => `e${++ids}` }),
      }));
      const passes = () =>
        Promise.all(
          nodes.map(async (n) => {
            await n.follower.pass();
            await n.worker.pass();
            await n.worker.idle();
          }),
        );
      await passes(); // the followers start at the log's end
      for (let i = 0; i < 6; i++) {
        const n = nodes[i % 2]!;
        await n.notifier.emit([{ kind: "test", webhook: "w", at: T0, message: `m${i}` }]);
        await n.store.commit({
          writes: [setA("h.example.com", [`192.0.2.${i + 1}`])],
          history: [],
          at: T0 + i,
        });
      }
      for (let i = 0; i < 40 && (await a.notificationQueue()) + (await b.notificationQueue()) > 0; i++)
        await passes();
      for (let i = 0; i < 3; i++) await passes(); // nothing more comes
      const got = receiver.received.map((r) => {
        const body = JSON.parse(r.body) as { event: string; message?: string; new?: string[] };
        return body.event === "test" ? body.message : `A ${body.new?.join(",")}`;
      });
      const delivered = new Set(receiver.received.map((r) => r.headers["x-beacon-delivery"]));
      expect(delivered.size).toBe(receiver.received.length); // no delivery twice
      expect(got.filter((g) => g?.startsWith("m"))).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
      expect(got.filter((g) => g?.startsWith("A "))).toEqual([1, 2, 3, 4, 5, 6].map((n) => `A 192.0.2.${n}`));
    } finally {
      await receiver.close();
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
