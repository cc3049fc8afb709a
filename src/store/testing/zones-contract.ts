// The zones part of the Store contract (called from runStoreContract): zones come back as stored,
// sorted by name, with a default serial; names are unique; updateZone advances the serial once and
// only on a difference; deleteZone refuses a zone with hosts unless it cascades, and a cascade takes
// exactly the zone's hosts, sets and history. Takes ZoneStore & HistoryStore: the cascade is checked
// against the history it must (and must not) take.

import { beforeEach, describe, expect, it } from "vitest";

import { initialSerial } from "../../core/serial.js";
import type { HistoryStore, ZoneStore } from "../ports.js";
import {
  batch,
  expectCode,
  historyFixture,
  hostFixture,
  seedExampleZones,
  serialOf,
  setA,
  T0,
  zoneFixture,
} from "./fixtures.js";

export function zonesContract(get: () => ZoneStore & HistoryStore): void {
  describe("zones", () => {
    let store: ZoneStore & HistoryStore;
    beforeEach(() => {
      store = get();
    });

    it("creates, gets and lists zones", async () => {
      const created = await store.createZone(zoneFixture("example.com"));
      expect(created).toEqual(zoneFixture("example.com"));
      expect(await store.getZone("example.com")).toEqual(zoneFixture("example.com"));
      await store.createZone(zoneFixture("a-first.org"));
      const names = (await store.listZones()).map((z) => z.name);
      expect(names).toEqual(["a-first.org", "example.com"]);
    });

    it("returns undefined for an absent zone", async () => {
      expect(await store.getZone("nowhere.example")).toBeUndefined();
      expect(await store.listZones()).toEqual([]);
    });

    it("defaults the serial to initialSerial(createdAt)", async () => {
      const { serial: _serial, ...noSerial } = zoneFixture("example.com");
      const z = await store.createZone(noSerial);
      expect(z.serial).toBe(initialSerial(T0));
      expect(await serialOf(store, "example.com")).toBe(initialSerial(T0));
    });

    it("refuses a duplicate zone with zone_exists and keeps the original", async () => {
      await store.createZone(zoneFixture("example.com"));
      await expectCode(store.createZone(zoneFixture("example.com", { ttl: 999, serial: 7 })), "zone_exists");
      expect(await store.getZone("example.com")).toEqual(zoneFixture("example.com"));
    });

    it("deletes an empty zone and resolves false for an absent one", async () => {
      await store.createZone(zoneFixture("example.com"));
      expect(await store.deleteZone("example.com")).toBe(true);
      expect(await store.getZone("example.com")).toBeUndefined();
      expect(await store.deleteZone("example.com")).toBe(false);
      expect(await store.deleteZone("never.example")).toBe(false);
    });

    it("refuses to delete a zone with hosts (zone_not_empty) and changes nothing", async () => {
      await seedExampleZones(store);
      await store.commit(batch([setA("a.example.com", ["192.0.2.1"])], [historyFixture("a.example.com")]));
      const before = await store.snapshot();
      await expectCode(store.deleteZone("example.com"), "zone_not_empty");
      await expectCode(store.deleteZone("example.com", { cascade: false }), "zone_not_empty");
      expect(await store.snapshot()).toEqual(before);
      expect(await store.listHistory("a.example.com")).toHaveLength(1);
    });

    it("cascades to the zone's hosts, rrsets and history, and only those", async () => {
      await seedExampleZones(store);
      await store.createZone(zoneFixture("sub.example.com"));
      await store.createHost(hostFixture("x.sub.example.com", "sub.example.com"));
      await store.commit(
        batch(
          [
            setA("a.example.com", ["192.0.2.1"]),
            setA("c.example.net", ["192.0.2.3"]),
            setA("x.sub.example.com", ["192.0.2.9"]),
          ],
          [
            historyFixture("a.example.com"),
            historyFixture("c.example.net"),
            historyFixture("x.sub.example.com"),
          ],
        ),
      );
      // History of a host deleted earlier still belongs to the zone.
      await store.commit(batch([], [historyFixture("b.example.com")]));
      await store.deleteHost("b.example.com");

      expect(await store.deleteZone("example.com", { cascade: true })).toBe(true);

      expect(await store.getZone("example.com")).toBeUndefined();
      expect(await store.listHosts("example.com")).toEqual([]);
      expect(await store.getHost("a.example.com")).toBeUndefined();
      expect(await store.getRRSets("a.example.com")).toEqual([]);
      expect(await store.listHistory("a.example.com")).toEqual([]);
      expect(await store.listHistory("b.example.com")).toEqual([]);
      // Another zone and a child zone are untouched.
      expect(await store.getRRSets("c.example.net")).toHaveLength(1);
      expect(await store.listHistory("c.example.net")).toHaveLength(1);
      expect(await store.getRRSets("x.sub.example.com")).toHaveLength(1);
      expect(await store.listHistory("x.sub.example.com")).toHaveLength(1);
      expect((await store.snapshot()).hosts.map((h) => h.fqdn)).toEqual([
        "c.example.net",
        "x.sub.example.com",
      ]);
    });

    it("lets a zone be recreated after deletion", async () => {
      await seedExampleZones(store);
      await store.deleteZone("example.com", { cascade: true });
      await store.createZone(zoneFixture("example.com", { serial: 42 }));
      expect(await serialOf(store, "example.com")).toBe(42);
      expect(await store.listHosts("example.com")).toEqual([]);
    });

    it("updateZone sets the TTL and SOA fields given, keeps the rest, and advances the serial once", async () => {
      await store.createZone(zoneFixture("example.com"));
      await store.createZone(zoneFixture("example.net", { serial: 5000 }));
      const z = await store.updateZone("example.com", {
        ttl: 120,
        soa: { refresh: 7200, minimum: 300, rname: "dns.example.org" },
      });
      const want = zoneFixture("example.com", {
        serial: 1001,
        ttl: 120,
        soa: { ...zoneFixture("example.com").soa, refresh: 7200, minimum: 300, rname: "dns.example.org" },
      });
      expect(z).toEqual(want);
      expect(await store.getZone("example.com")).toEqual(want);
      expect((await store.snapshot()).zones.find((x) => x.name === "example.com")).toEqual(want);
      // another zone is untouched
      expect(await store.getZone("example.net")).toEqual(zoneFixture("example.net", { serial: 5000 }));
    });

    it("updateZone with nothing that differs changes nothing, not even the serial", async () => {
      await store.createZone(zoneFixture("example.com"));
      await store.createZone(zoneFixture("example.net", { serial: 5000 }));
      const same = zoneFixture("example.com");
      expect(
        await store.updateZone("example.com", { ttl: same.ttl, soa: { retry: same.soa.retry } }),
      ).toEqual(same);
      expect(await store.updateZone("example.com", {})).toEqual(same);
      expect(await serialOf(store, "example.com")).toBe(1000);
    });

    it("updateZone of an absent zone is zone_not_found and creates nothing", async () => {
      await expectCode(store.updateZone("nowhere.example", { ttl: 60 }), "zone_not_found");
      expect(await store.listZones()).toEqual([]);
    });
  });
}
