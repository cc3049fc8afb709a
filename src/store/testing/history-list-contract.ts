// The listing part of the history contract (called from runStoreContract; folding, retention and
// host identity are in history-contract.ts): entries round-trip every field, list newest first by
// name, page with limit and before, keep the order of one batch, and default to 100. Takes
// HistoryStore & ZoneStore: entries are written by commit, for hosts it created.

import { beforeEach, describe, expect, it } from "vitest";

import type { HistoryStore, ZoneStore } from "../ports.js";
import { batch, historyFixture, seedExampleZones, T0 } from "./fixtures.js";

export function historyListContract(get: () => HistoryStore & ZoneStore): void {
  describe("history", () => {
    let store: HistoryStore & ZoneStore;
    beforeEach(() => {
      store = get();
    });

    it("round-trips every field, undefined included", async () => {
      await seedExampleZones(store);
      const full = historyFixture("a.example.com", {
        type: "AAAA",
        oldValues: ["2001:db8::1"],
        newValues: ["2001:db8::2", "2001:db8::3"],
        at: T0 + 42,
        outcome: "good",
        protocol: "api",
        tokenId: "tk_abc",
        sourceIp: "2001:db8::9",
        userAgent: "agent/2",
      });
      const bare = historyFixture("a.example.com", {
        oldValues: ["192.0.2.1"],
        newValues: undefined,
        outcome: "deleted",
        protocol: "cli",
        tokenId: undefined,
        sourceIp: undefined,
        userAgent: undefined,
      });
      await store.commit(batch([], [full, bare]));
      const [second, first] = await store.listHistory("a.example.com");
      const hostId = (await store.getHost("a.example.com"))?.id;
      const stored = { id: expect.any(Number) as number, hostId, count: 1 };
      expect(first).toEqual({ ...full, ...stored, lastAt: full.at });
      expect(second).toEqual({ ...bare, ...stored, lastAt: bare.at });
      expect(second?.newValues).toBeUndefined();
      expect(second?.tokenId).toBeUndefined();
      expect(first?.oldValues).toEqual(["2001:db8::1"]);
    });

    it("lists newest first, only the asked fqdn, with limit and before for paging", async () => {
      await seedExampleZones(store);
      for (let i = 0; i < 5; i++) {
        await store.commit(
          batch(
            [],
            [
              historyFixture("a.example.com", { at: T0 + i, newValues: [`192.0.2.${i}`] }),
              historyFixture("b.example.com", { at: T0 + i }),
            ],
          ),
        );
      }
      const all = await store.listHistory("a.example.com");
      expect(all.map((h) => h.at)).toEqual([T0 + 4, T0 + 3, T0 + 2, T0 + 1, T0]);
      expect(all.every((h) => h.fqdn === "a.example.com")).toBe(true);
      const ids = all.map((h) => h.id);
      expect([...ids].sort((x, y) => y - x)).toEqual(ids);
      expect(new Set(ids).size).toBe(5);

      const page1 = await store.listHistory("a.example.com", { limit: 2 });
      expect(page1.map((h) => h.at)).toEqual([T0 + 4, T0 + 3]);
      const page2 = await store.listHistory("a.example.com", { limit: 2, before: page1[1]?.id ?? 0 });
      expect(page2.map((h) => h.at)).toEqual([T0 + 2, T0 + 1]);
      const page3 = await store.listHistory("a.example.com", { limit: 2, before: page2[1]?.id ?? 0 });
      expect(page3.map((h) => h.at)).toEqual([T0]);
      expect(await store.listHistory("a.example.com", { limit: 2, before: page3[0]?.id ?? 0 })).toEqual([]);
      expect(await store.listHistory("a.example.com", { limit: 0 })).toEqual([]);
      expect(await store.listHistory("a.example.com", { limit: -1 })).toEqual([]);
      expect(await store.listHistory("nobody.example.com")).toEqual([]);
    });

    it("keeps the order of entries within one batch", async () => {
      await seedExampleZones(store);
      await store.commit(
        batch(
          [],
          [1, 2, 3].map((i) => historyFixture("a.example.com", { userAgent: `ua${i}` })),
        ),
      );
      expect((await store.listHistory("a.example.com")).map((h) => h.userAgent)).toEqual([
        "ua3",
        "ua2",
        "ua1",
      ]);
    });

    it("returns at most 100 entries by default", async () => {
      await seedExampleZones(store);
      const entries = Array.from({ length: 105 }, (_, i) => historyFixture("a.example.com", { at: T0 + i }));
      await store.commit(batch([], entries));
      const list = await store.listHistory("a.example.com");
      expect(list).toHaveLength(100);
      expect(list[0]?.at).toBe(T0 + 104);
      expect(list[99]?.at).toBe(T0 + 5);
    });
  });
}
