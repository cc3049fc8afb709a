// The hosts part of the Store contract (called from runStoreContract): a host needs its zone and a
// free name; createHost and deleteHost advance the zone's serial once (wrapping past 2^32 - 1);
// hosts list sorted by fqdn; deleting a host takes its sets and keeps its history. Takes ZoneStore &
// HistoryStore: that the history stays is part of deleteHost's promise.

import { beforeEach, describe, expect, it } from "vitest";

import type { HistoryStore, ZoneStore } from "../ports.js";
import {
  batch,
  expectCode,
  historyFixture,
  hostFixture,
  seedExampleZones,
  serialOf,
  setA,
  zoneFixture,
} from "./fixtures.js";

export function hostsContract(get: () => ZoneStore & HistoryStore): void {
  describe("hosts", () => {
    let store: ZoneStore & HistoryStore;
    beforeEach(() => {
      store = get();
    });

    it("creates and gets hosts, keeping an undefined ttl undefined", async () => {
      await seedExampleZones(store);
      const a = await store.getHost("a.example.com");
      expect(a).toEqual({
        ...hostFixture("a.example.com", "example.com"),
        id: expect.any(Number) as number,
        implicit: false,
      });
      expect(a?.ttl).toBeUndefined();
      expect(await store.getHost("b.example.com")).toEqual({
        ...hostFixture("b.example.com", "example.com", { ttl: 30, description: "b" }),
        id: expect.any(Number) as number,
        implicit: false,
      });
      expect(await store.getHost("zz.example.com")).toBeUndefined();
    });

    it("refuses a host in a missing zone with zone_not_found", async () => {
      await store.createZone(zoneFixture("example.com"));
      await expectCode(
        store.createHost(hostFixture("a.missing.example", "missing.example")),
        "zone_not_found",
      );
      expect(await store.getHost("a.missing.example")).toBeUndefined();
      expect(await serialOf(store, "example.com")).toBe(1000);
    });

    it("refuses a duplicate host with host_exists and leaves serial and host as they were", async () => {
      await seedExampleZones(store);
      const serial = await serialOf(store, "example.com");
      await expectCode(
        store.createHost(hostFixture("a.example.com", "example.com", { description: "dup" })),
        "host_exists",
      );
      expect(await serialOf(store, "example.com")).toBe(serial);
      expect((await store.getHost("a.example.com"))?.description).toBe("");
    });

    it("advances the zone serial once per createHost and deleteHost", async () => {
      await store.createZone(zoneFixture("example.com"));
      await store.createZone(zoneFixture("example.net", { serial: 5000 }));
      await store.createHost(hostFixture("a.example.com", "example.com"));
      expect(await serialOf(store, "example.com")).toBe(1001);
      await store.createHost(hostFixture("b.example.com", "example.com"));
      expect(await serialOf(store, "example.com")).toBe(1002);
      expect(await store.deleteHost("a.example.com")).toBe(true);
      expect(await serialOf(store, "example.com")).toBe(1003);
      expect(await serialOf(store, "example.net")).toBe(5000);
    });

    it("wraps the serial from 4294967295 to 1", async () => {
      await store.createZone(zoneFixture("example.com", { serial: 4_294_967_295 }));
      await store.createHost(hostFixture("a.example.com", "example.com"));
      expect(await serialOf(store, "example.com")).toBe(1);
    });

    it("resolves false deleting an absent host, without touching any serial", async () => {
      await seedExampleZones(store);
      expect(await store.deleteHost("zz.example.com")).toBe(false);
      expect(await serialOf(store, "example.com")).toBe(1002);
    });

    it("lists hosts sorted by fqdn, optionally by zone", async () => {
      await store.createZone(zoneFixture("example.com"));
      await store.createZone(zoneFixture("example.net"));
      for (const f of ["z.example.com", "b.example.net", "a.example.com", "m.example.com"]) {
        await store.createHost(hostFixture(f, f.endsWith(".net") ? "example.net" : "example.com"));
      }
      expect((await store.listHosts()).map((h) => h.fqdn)).toEqual([
        "a.example.com",
        "b.example.net",
        "m.example.com",
        "z.example.com",
      ]);
      expect((await store.listHosts("example.com")).map((h) => h.fqdn)).toEqual([
        "a.example.com",
        "m.example.com",
        "z.example.com",
      ]);
      expect(await store.listHosts("nowhere.example")).toEqual([]);
    });

    it("deletes the host's rrsets but keeps its history", async () => {
      await seedExampleZones(store);
      await store.commit(batch([setA("a.example.com", ["192.0.2.1"])], [historyFixture("a.example.com")]));
      expect(await store.deleteHost("a.example.com")).toBe(true);
      expect(await store.getHost("a.example.com")).toBeUndefined();
      expect(await store.getRRSets("a.example.com")).toEqual([]);
      expect(await store.listHistory("a.example.com")).toHaveLength(1);
      // A host recreated under the same name starts with no sets.
      await store.createHost(hostFixture("a.example.com", "example.com"));
      expect(await store.getRRSets("a.example.com")).toEqual([]);
    });
  });
}
