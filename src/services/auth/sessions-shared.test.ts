// Admin sessions with several nodes: two session services ("nodes") on one store — two stores on one
// PostgreSQL database (a throwaway cluster) and, always, one memory store. Nothing about a session is
// kept per node: signing out on one node ends the cookie on the other at once, and so does ending all
// of a user's sessions (a password change). Bad input: a malformed and an unknown cookie.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { openPostgresStore } from "../../store/postgres/postgres-store.js";
import { startCluster } from "../../store/postgres/testing/cluster.js";
import { migratedDatabases, type Databases } from "../../store/postgres/testing/databases.js";
import { createSessionService } from "./sessions.js";

const cluster = await startCluster();
const MIN = 60_000;

function sessionsOnOneStore(name: string, open: () => Promise<[Store, Store, () => Promise<void>]>) {
  describe(`sessions of two nodes on one store (${name})`, () => {
    it("a sign-out on node A ends the cookie on node B, and ending all sessions ends them everywhere", async () => {
      const [storeA, storeB, close] = await open();
      try {
        let now = 1_800_000_000_000;
        const node = (store: Store) =>
          createSessionService({ store, clock: () => now, idleMs: 30 * MIN, lifetimeMs: 12 * 60 * MIN });
        const [a, b] = [node(storeA), node(storeB)];
        await storeA.createUser({
          name: "admin",
          passwordHash: "h",
          role: "admin",
          createdAt: now,
          passwordChangedAt: now,
        });
        const first = await a.start("admin");
        expect((await b.resume(first.cookieValue)).ok).toBe(true);
        // Used on B within the minute (no touch), then signed out on A: B refuses it at once.
        now += 10_000;
        expect((await b.resume(first.cookieValue)).ok).toBe(true);
        await a.end(first.cookieValue);
        expect(await b.resume(first.cookieValue)).toEqual({ ok: false, code: "unauthorized" });

        const [s1, s2, keep] = await Promise.all([a.start("admin"), b.start("admin"), a.start("admin")]);
        expect(await b.endAll("admin", keep.cookieValue)).toBe(2);
        for (const node of [a, b]) {
          expect((await node.resume(s1.cookieValue)).ok).toBe(false);
          expect((await node.resume(s2.cookieValue)).ok).toBe(false);
          expect((await node.resume(keep.cookieValue)).ok).toBe(true);
          expect((await node.resume("not a cookie")).ok).toBe(false);
          expect((await node.resume("A".repeat(43))).ok).toBe(false);
        }
      } finally {
        await close();
      }
    });
  });
}

sessionsOnOneStore("memory", () => {
  const store = createMemoryStore();
  return Promise.resolve([store, store, () => store.close()]);
});

describe.skipIf(cluster === undefined)("on PostgreSQL", () => {
  let databases: Databases;
  beforeAll(async () => {
    databases = await migratedDatabases(cluster!, "sessions");
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  sessionsOnOneStore("PostgreSQL, two stores on one database", async () => {
    const url = await databases.fresh();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
  });
});
