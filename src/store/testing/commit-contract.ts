// The record-set part of the Store contract (called from runStoreContract): commit writes, replaces
// and deletes sets in order, advances each touched zone's serial once, appends history, and fails
// whole (sets, serials and history unchanged) when one write names a missing host; getRRSets and
// snapshot read back the same state. Takes ZoneStore & HistoryStore: a commit carries its history.

import { beforeEach, describe, expect, it } from "vitest";

import { nextSerial } from "../../core/serial.js";
import type { HistoryStore, ZoneStore } from "../ports.js";
import {
  batch,
  expectCode,
  historyFixture,
  seedExampleZones,
  serialOf,
  setA,
  T0,
  zoneFixture,
} from "./fixtures.js";

export function commitContract(get: () => ZoneStore & HistoryStore): void {
  describe("record sets and commit", () => {
    let store: ZoneStore & HistoryStore;
    beforeEach(() => {
      store = get();
    });

    it("writes sets, returns them sorted by type with values in the order given", async () => {
      await seedExampleZones(store);
      await store.commit({
        writes: [
          { fqdn: "a.example.com", type: "TXT", rrset: { ttl: 120, values: ["zeta", "alpha", "mid"] } },
          {
            fqdn: "a.example.com",
            type: "AAAA",
            rrset: { ttl: 60, values: ["2001:db8::2", "2001:db8::1"] },
          },
          setA("a.example.com", ["192.0.2.9", "192.0.2.1"]),
        ],
        history: [],
        at: T0 + 5,
      });
      expect(await store.getRRSets("a.example.com")).toEqual([
        { type: "A", ttl: 60, values: ["192.0.2.9", "192.0.2.1"], updatedAt: T0 + 5 },
        { type: "AAAA", ttl: 60, values: ["2001:db8::2", "2001:db8::1"], updatedAt: T0 + 5 },
        { type: "TXT", ttl: 120, values: ["zeta", "alpha", "mid"], updatedAt: T0 + 5 },
      ]);
      expect(await store.getRRSets("b.example.com")).toEqual([]);
      expect(await store.getRRSets("nohost.example.com")).toEqual([]);
    });

    it("round-trips TXT values with quotes, unicode and JSON-looking text", async () => {
      await seedExampleZones(store);
      const values = ['say "hi"', "naïve ☃", "[1,2]", "", "back\\slash"];
      await store.commit(batch([{ fqdn: "a.example.com", type: "TXT", rrset: { ttl: 60, values } }]));
      expect((await store.getRRSets("a.example.com"))[0]?.values).toEqual(values);
    });

    it("replaces an existing set (ttl, values, updatedAt)", async () => {
      await seedExampleZones(store);
      await store.commit(batch([setA("a.example.com", ["192.0.2.1"], 60)], [], T0 + 1));
      await store.commit(batch([setA("a.example.com", ["192.0.2.2", "192.0.2.3"], 90)], [], T0 + 2));
      expect(await store.getRRSets("a.example.com")).toEqual([
        { type: "A", ttl: 90, values: ["192.0.2.2", "192.0.2.3"], updatedAt: T0 + 2 },
      ]);
    });

    it("deletes a set when the write is null, leaving other types", async () => {
      await seedExampleZones(store);
      await store.commit(
        batch([
          setA("a.example.com", ["192.0.2.1"]),
          { fqdn: "a.example.com", type: "TXT", rrset: { ttl: 60, values: ["t"] } },
        ]),
      );
      await store.commit(batch([{ fqdn: "a.example.com", type: "A", rrset: null }]));
      expect((await store.getRRSets("a.example.com")).map((s) => s.type)).toEqual(["TXT"]);
      // Deleting a set that does not exist is not an error.
      await store.commit(batch([{ fqdn: "a.example.com", type: "AAAA", rrset: null }]));
      expect((await store.getRRSets("a.example.com")).map((s) => s.type)).toEqual(["TXT"]);
    });

    it("applies writes to the same set in order (last wins)", async () => {
      await seedExampleZones(store);
      await store.commit(
        batch([
          setA("a.example.com", ["192.0.2.1"]),
          { fqdn: "a.example.com", type: "A", rrset: null },
          setA("a.example.com", ["192.0.2.7"]),
        ]),
      );
      expect((await store.getRRSets("a.example.com"))[0]?.values).toEqual(["192.0.2.7"]);
    });

    it("advances each touched zone's serial exactly once per commit and reports it", async () => {
      await seedExampleZones(store);
      await store.createZone(zoneFixture("example.org", { serial: 77 }));
      const com = await serialOf(store, "example.com");
      const net = await serialOf(store, "example.net");
      const result = await store.commit(
        batch([
          setA("a.example.com", ["192.0.2.1"]),
          { fqdn: "a.example.com", type: "TXT", rrset: { ttl: 60, values: ["x"] } },
          setA("b.example.com", ["192.0.2.2"]),
          { fqdn: "b.example.com", type: "AAAA", rrset: null },
          setA("c.example.net", ["192.0.2.3"]),
        ]),
      );
      expect(result.serials).toEqual(
        new Map([
          ["example.com", nextSerial(com)],
          ["example.net", nextSerial(net)],
        ]),
      );
      expect(await serialOf(store, "example.com")).toBe(nextSerial(com));
      expect(await serialOf(store, "example.net")).toBe(nextSerial(net));
      expect(await serialOf(store, "example.org")).toBe(77);
    });

    it("appends history without writes and without touching serials", async () => {
      await seedExampleZones(store);
      const result = await store.commit(batch([], [historyFixture("a.example.com", { outcome: "nochg" })]));
      expect(result.serials.size).toBe(0);
      expect(await serialOf(store, "example.com")).toBe(1002);
      expect((await store.listHistory("a.example.com")).map((h) => h.outcome)).toEqual(["nochg"]);
      // History may name a host that does not exist (a refused change).
      await store.commit(batch([], [historyFixture("ghost.example.com", { outcome: "host_not_found" })]));
      expect((await store.listHistory("ghost.example.com")).map((h) => h.outcome)).toEqual([
        "host_not_found",
      ]);
    });

    it("accepts an empty batch", async () => {
      await seedExampleZones(store);
      expect((await store.commit(batch([]))).serials.size).toBe(0);
      expect(await serialOf(store, "example.com")).toBe(1002);
    });

    it("fails the whole batch with host_not_found when one write names a missing host", async () => {
      await seedExampleZones(store);
      await store.commit(
        batch([setA("a.example.com", ["192.0.2.1"])], [historyFixture("a.example.com")], T0 + 1),
      );
      const before = await store.snapshot();
      const historyBefore = await store.listHistory("a.example.com");
      await expectCode(
        store.commit(
          batch(
            [
              setA("a.example.com", ["198.51.100.1"]),
              setA("c.example.net", ["198.51.100.3"]),
              setA("missing.example.com", ["198.51.100.2"]),
              { fqdn: "b.example.com", type: "A", rrset: null },
            ],
            [
              historyFixture("a.example.com", { newValues: ["198.51.100.1"] }),
              historyFixture("c.example.net"),
            ],
            T0 + 2,
          ),
        ),
        "host_not_found",
      );
      // Nothing changed: rrsets, serials, hosts, history.
      expect(await store.snapshot()).toEqual(before);
      expect(await store.listHistory("a.example.com")).toEqual(historyBefore);
      expect(await store.listHistory("c.example.net")).toEqual([]);
      // And a delete of a missing host's set fails the same way.
      await expectCode(
        store.commit(batch([{ fqdn: "gone.example.com", type: "A", rrset: null }])),
        "host_not_found",
      );
      expect(await store.snapshot()).toEqual(before);
    });
  });

  describe("snapshot", () => {
    let store: ZoneStore & HistoryStore;
    beforeEach(() => {
      store = get();
    });

    it("returns every zone, host and rrset, consistent with the other reads", async () => {
      expect(await store.snapshot()).toEqual({ zones: [], hosts: [], rrsets: [] });
      await seedExampleZones(store);
      await store.commit(
        batch([
          setA("b.example.com", ["192.0.2.2"]),
          { fqdn: "a.example.com", type: "TXT", rrset: { ttl: 60, values: ["t"] } },
          setA("a.example.com", ["192.0.2.1"]),
          setA("c.example.net", ["192.0.2.3"]),
        ]),
      );
      const snap = await store.snapshot();
      expect(snap.zones).toEqual(await store.listZones());
      expect(snap.hosts).toEqual(await store.listHosts());
      expect(snap.rrsets.map((s) => `${s.fqdn}/${s.type}`)).toEqual([
        "a.example.com/A",
        "a.example.com/TXT",
        "b.example.com/A",
        "c.example.net/A",
      ]);
      for (const fqdn of ["a.example.com", "b.example.com", "c.example.net"]) {
        const own = snap.rrsets.filter((s) => s.fqdn === fqdn).map(({ fqdn: _f, ...s }) => s);
        expect(own).toEqual(await store.getRRSets(fqdn));
      }
      expect(snap.zones.find((z) => z.name === "example.com")?.serial).toBe(1003);

      await store.deleteHost("a.example.com");
      const after = await store.snapshot();
      expect(after.rrsets.map((s) => s.fqdn)).toEqual(["b.example.com", "c.example.net"]);
      expect(after.hosts.map((h) => h.fqdn)).toEqual(["b.example.com", "c.example.net"]);
    });
  });
}
