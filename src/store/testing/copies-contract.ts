// The copy promise of the Store contract (called from runStoreContract): objects the store returns
// are fresh copies, and objects passed in are copied, so neither side can change the other's data
// afterwards. Takes ZoneStore & TokenStore & HistoryStore: every kind of nested record they hold.

import { beforeEach, describe, expect, it } from "vitest";

import type { Zone } from "../../core/zones.js";
import type { HistoryStore, TokenStore, ZoneStore } from "../ports.js";
import type { Host, TokenRecord } from "../types.js";
import {
  batch,
  historyFixture,
  hostFixture,
  seedExampleZones,
  setA,
  tokenFixture,
  zoneFixture,
} from "./fixtures.js";

type DeepWritable<T> = { -readonly [K in keyof T]: DeepWritable<T[K]> };

/** Drops readonly typing, to prove that mutating a returned copy cannot reach the store. */
function tamper<T>(v: T | undefined): DeepWritable<T> {
  if (v === undefined) throw new Error("expected a value to tamper with");
  return v;
}

export function copiesContract(get: () => ZoneStore & TokenStore & HistoryStore): void {
  describe("copies", () => {
    let store: ZoneStore & TokenStore & HistoryStore;
    beforeEach(() => {
      store = get();
    });

    it("returned objects can be mutated without changing the store", async () => {
      await seedExampleZones(store);
      await store.commit(batch([setA("a.example.com", ["192.0.2.1"])], [historyFixture("a.example.com")]));
      await store.createToken(tokenFixture("tk_1"));

      const z = tamper(await store.getZone("example.com"));
      z.nameservers.push("evil.example");
      z.soa.mname = "evil.example";
      const zs = tamper(await store.listZones());
      if (zs[0]) zs[0].ttl = 1;
      tamper(await store.getHost("a.example.com")).description = "evil";
      tamper(await store.getRRSets("a.example.com"))[0]?.values.push("203.0.113.66");
      const t = tamper(await store.getToken("tk_1"));
      if (t.names[0]) t.names[0].name = "evil.example";
      t.types.push("TXT");
      tamper(await store.listHistory("a.example.com"))[0]?.newValues?.push("203.0.113.66");
      const snap = tamper(await store.snapshot());
      snap.rrsets[0]?.values.push("203.0.113.66");
      snap.zones.length = 0;

      expect(await store.getZone("example.com")).toEqual(zoneFixture("example.com", { serial: 1003 }));
      expect((await store.listZones()).map((x) => x.ttl)).toEqual([300, 300]);
      expect((await store.getHost("a.example.com"))?.description).toBe("");
      expect((await store.getRRSets("a.example.com"))[0]?.values).toEqual(["192.0.2.1"]);
      expect(await store.getToken("tk_1")).toEqual(tokenFixture("tk_1"));
      expect((await store.listHistory("a.example.com"))[0]?.newValues).toEqual(["192.0.2.1"]);
      expect((await store.snapshot()).zones).toHaveLength(2);
    });

    it("later changes to objects passed in do not reach the store", async () => {
      const zone = zoneFixture("example.com") as Zone & { nameservers: string[] };
      await store.createZone(zone);
      zone.nameservers.push("evil.example");
      const host = hostFixture("a.example.com", "example.com") as Host & { description: string };
      await store.createHost(host);
      host.description = "evil";
      const values = ["192.0.2.1"];
      await store.commit(batch([setA("a.example.com", values)]));
      values.push("203.0.113.66");
      const token = tokenFixture("tk_1") as TokenRecord & { types: string[] };
      await store.createToken(token);
      token.types.push("TXT");

      expect((await store.getZone("example.com"))?.nameservers).toEqual([
        "ns1.example.com",
        "ns2.example.com",
      ]);
      expect((await store.getHost("a.example.com"))?.description).toBe("");
      expect((await store.getRRSets("a.example.com"))[0]?.values).toEqual(["192.0.2.1"]);
      expect((await store.getToken("tk_1"))?.types).toEqual(["A", "AAAA"]);
    });
  });
}
