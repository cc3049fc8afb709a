// The whole-store part of the Store contract (called from runStoreContract): externalVersion does
// not move for the store's own writes; the store is writable while open, and after close (which may
// be called twice) every read and write fails with store_unavailable. Takes ChangeFeed &
// StoreLifecycle & ZoneStore & TokenStore: the writes and reads it closes over.

import { beforeEach, describe, expect, it } from "vitest";

import type { ChangeFeed, StoreLifecycle, TokenStore, ZoneStore } from "../ports.js";
import { batch, expectCode, seedExampleZones, setA, tokenFixture } from "./fixtures.js";

export function lifecycleContract(get: () => ChangeFeed & StoreLifecycle & ZoneStore & TokenStore): void {
  describe("externalVersion and close", () => {
    let store: ChangeFeed & StoreLifecycle & ZoneStore & TokenStore;
    beforeEach(() => {
      store = get();
    });

    it("is a number that this store's own writes do not change", async () => {
      const v0 = await store.externalVersion();
      expect(Number.isInteger(v0)).toBe(true);
      await seedExampleZones(store);
      await store.commit(batch([setA("a.example.com", ["192.0.2.1"])]));
      await store.createToken(tokenFixture("tk_1"));
      expect(await store.externalVersion()).toBe(v0);
    });

    it("is writable while open; fails with store_unavailable after close, and close is idempotent", async () => {
      await seedExampleZones(store);
      expect(store.health()).toEqual({ writable: true });
      await store.close();
      await store.close();
      expect(store.health()).toMatchObject({ writable: false, problem: { code: "store_unavailable" } });
      await expectCode(store.getZone("example.com"), "store_unavailable");
      await expectCode(store.commit(batch([])), "store_unavailable");
      await expectCode(store.snapshot(), "store_unavailable");
    });
  });
}
