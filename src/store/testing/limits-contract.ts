// The LimitStore part of the Store contract (called from runStoreContract): rate-limit buckets add up
// what each process consumed, expire on their own and can be deleted; host flags need their host,
// keep the first flag, and die with the host.

import { describe, expect, it } from "vitest";

import type { LimitStore, ZoneStore } from "../ports.js";
import { hostFixture, T0, zoneFixture } from "./fixtures.js";

const flag = (fqdn: string, at = T0) => ({ fqdn, flaggedAt: at, reason: `flagged at ${at}` });

export function limitsContract(get: () => LimitStore & ZoneStore): void {
  describe("rate-limit buckets", () => {
    it("saves new buckets as seen and loads those not yet full again, sorted by key", async () => {
      const store = get();
      expect(await store.loadLimitBuckets(T0)).toEqual([]);
      const saved = await store.saveLimitBuckets(
        [
          { key: "b", consumedMs: 10, tat: T0 + 100 },
          { key: "a", consumedMs: 5, tat: T0 + 50 },
          { key: "gone", consumedMs: 5, tat: T0 },
        ],
        T0,
      );
      expect(saved).toEqual([
        { key: "a", tat: T0 + 50 },
        { key: "b", tat: T0 + 100 },
      ]);
      expect(await store.loadLimitBuckets(T0)).toEqual(saved);
      expect(await store.loadLimitBuckets(T0 + 50)).toEqual([{ key: "b", tat: T0 + 100 }]);
    });

    it("adds what another process consumed, and never goes below what the saver saw", async () => {
      const store = get();
      await store.saveLimitBuckets([{ key: "k", consumedMs: 30, tat: T0 + 30 }], T0);
      // A second node consumed 20 ms of the same bucket since its last save.
      expect(await store.saveLimitBuckets([{ key: "k", consumedMs: 20, tat: T0 + 20 }], T0)).toEqual([
        { key: "k", tat: T0 + 50 },
      ]);
      // A saver that already sees more than saved + consumed keeps its own view.
      expect(await store.saveLimitBuckets([{ key: "k", consumedMs: 0, tat: T0 + 500 }], T0)).toEqual([
        { key: "k", tat: T0 + 500 },
      ]);
    });

    it("drops every expired bucket on save and answers only for the keys given", async () => {
      const store = get();
      await store.saveLimitBuckets(
        [
          { key: "short", consumedMs: 1, tat: T0 + 10 },
          { key: "long", consumedMs: 1, tat: T0 + 1000 },
        ],
        T0,
      );
      expect(await store.saveLimitBuckets([{ key: "other", consumedMs: 1, tat: T0 + 900 }], T0 + 10)).toEqual(
        [{ key: "other", tat: T0 + 900 }],
      );
      expect((await store.loadLimitBuckets(0)).map((b) => b.key)).toEqual(["long", "other"]);
      expect(await store.saveLimitBuckets([], T0)).toEqual([]);
    });

    it("deletes buckets, ignoring absent keys", async () => {
      const store = get();
      await store.saveLimitBuckets(
        [
          { key: "a", consumedMs: 1, tat: T0 + 10 },
          { key: "b", consumedMs: 1, tat: T0 + 10 },
        ],
        T0,
      );
      await store.deleteLimitBuckets(["a", "nope"]);
      await store.deleteLimitBuckets([]);
      expect(await store.loadLimitBuckets(T0)).toEqual([{ key: "b", tat: T0 + 10 }]);
    });

    it("keeps hundreds of buckets in one save", async () => {
      const store = get();
      const changes = Array.from({ length: 450 }, (_, i) => ({
        key: `k${i}`,
        consumedMs: 1,
        tat: T0 + 1 + i,
      }));
      expect(await store.saveLimitBuckets(changes, T0)).toHaveLength(450);
      expect(await store.loadLimitBuckets(T0)).toHaveLength(450);
    });

    it("counts a key given twice in one save as two saves one after the other", async () => {
      const store = get();
      await store.saveLimitBuckets([{ key: "k", consumedMs: 10, tat: T0 + 10 }], T0);
      // max(max(10 + 5, 7) + 3, 12) = 18
      expect(
        await store.saveLimitBuckets(
          [
            { key: "k", consumedMs: 5, tat: T0 + 7 },
            { key: "k", consumedMs: 3, tat: T0 + 12 },
          ],
          T0,
        ),
      ).toEqual([{ key: "k", tat: T0 + 18 }]);
      // max(max(18 + 1, 40) + 1, 30) = 41: a seen tat ahead of saved + consumed carries over.
      expect(
        await store.saveLimitBuckets(
          [
            { key: "k", consumedMs: 1, tat: T0 + 40 },
            { key: "k", consumedMs: 1, tat: T0 + 30 },
          ],
          T0,
        ),
      ).toEqual([{ key: "k", tat: T0 + 41 }]);
    });

    it("keeps keys verbatim whatever they hold (quotes, commas, braces, backslashes, NULL, 10 kB)", async () => {
      const store = get();
      const odd = [`a"b`, "c,d", "{e}", "f\\g", "NULL", "it's", "k".repeat(10_000), "ü|5/1000"];
      const changes = odd.map((key, i) => ({ key, consumedMs: 1, tat: T0 + 10 + i }));
      const saved = await store.saveLimitBuckets(changes, T0);
      expect(saved.map((b) => b.key).sort()).toEqual([...odd].sort());
      await store.deleteLimitBuckets(odd.slice(0, 4));
      expect((await store.loadLimitBuckets(T0)).map((b) => b.key).sort()).toEqual(odd.slice(4).sort());
    });
  });

  describe("host flags", () => {
    async function seed(store: ZoneStore): Promise<void> {
      await store.createZone(zoneFixture("example.com"));
      await store.createHost(hostFixture("a.example.com", "example.com"));
      await store.createHost(hostFixture("b.example.com", "example.com"));
    }

    it("flags an existing host once, keeping the first flag; lists sorted by fqdn", async () => {
      const store = get();
      await seed(store);
      expect(await store.flagHost(flag("b.example.com"))).toBe(true);
      expect(await store.flagHost(flag("b.example.com", T0 + 5))).toBe(false);
      expect(await store.flagHost(flag("a.example.com", T0 + 1))).toBe(true);
      expect(await store.flagHost(flag("ghost.example.com"))).toBe(false);
      expect(await store.listHostFlags()).toEqual([flag("a.example.com", T0 + 1), flag("b.example.com")]);
    });

    it("clears a flag; false when there was none", async () => {
      const store = get();
      await seed(store);
      await store.flagHost(flag("a.example.com"));
      expect(await store.clearHostFlag("a.example.com")).toBe(true);
      expect(await store.clearHostFlag("a.example.com")).toBe(false);
      expect(await store.clearHostFlag("ghost.example.com")).toBe(false);
      expect(await store.listHostFlags()).toEqual([]);
      expect(await store.flagHost(flag("a.example.com", T0 + 9))).toBe(true);
    });

    it("drops the flag with its host, and with its zone on cascade", async () => {
      const store = get();
      await seed(store);
      await store.flagHost(flag("a.example.com"));
      await store.flagHost(flag("b.example.com"));
      await store.deleteHost("a.example.com", T0);
      await store.createHost(hostFixture("a.example.com", "example.com"));
      expect((await store.listHostFlags()).map((f) => f.fqdn)).toEqual(["b.example.com"]);
      await store.deleteZone("example.com", { cascade: true });
      expect(await store.listHostFlags()).toEqual([]);
    });
  });
}
