// The change-log part of the Store contract (called from runStoreContract): every change to zones,
// hosts and sets moves the position; changesSince names exactly what was touched after a position,
// as it is now; it says "cannot" (undefined) when pruned past, ahead, or over the limit. The zone log
// (the durable IXFR journal): a zone's entries with the values around each change, from a serial on,
// and "cannot" for a serial it never logged (absent zone, wrapped or out-of-range serial, pruned).

import { describe, expect, it } from "vitest";

import type { RRSetWrite } from "../types.js";
import type { ChangeFeed, ZoneStore } from "../ports.js";
import { hostFixture, T0, zoneFixture } from "./fixtures.js";

const LIMIT = 1000;

function setA(fqdn: string, value: string): RRSetWrite {
  return { fqdn, type: "A", rrset: { ttl: 60, values: [value] } };
}

async function delta(store: ChangeFeed & ZoneStore, after: number) {
  const d = await store.changesSince(after, LIMIT);
  if (d === undefined) throw new Error(`changesSince(${after}) could not say`);
  return d;
}

export function changesContract(get: () => ChangeFeed & ZoneStore): void {
  describe("change log", () => {
    /** example.com with a., b., c. (c. has an A set); example.net with d. */
    async function seed(store: ChangeFeed & ZoneStore): Promise<void> {
      await store.createZone(zoneFixture("example.com"));
      await store.createZone(zoneFixture("example.net"));
      for (const h of ["a", "b", "c"]) await store.createHost(hostFixture(`${h}.example.com`, "example.com"));
      await store.createHost(hostFixture("d.example.net", "example.net"));
      await store.commit({ writes: [setA("c.example.com", "192.0.2.3")], history: [], at: T0 });
    }

    it("starts empty, and a position with nothing after it gives an empty delta", async () => {
      const store = get();
      expect(await store.changeSeq()).toBe(0);
      expect(await store.changesSince(0, LIMIT)).toEqual({
        seq: 0,
        zones: [],
        createdZones: [],
        removedZones: [],
        hosts: [],
        rrsets: [],
        removedHosts: [],
      });
    });

    it("names what was created from the start, as it is now", async () => {
      const store = get();
      await seed(store);
      const seq = await store.changeSeq();
      expect(seq).toBeGreaterThan(0);
      const d = await delta(store, 0);
      expect(d.seq).toBe(seq);
      expect(d.zones).toEqual([await store.getZone("example.com"), await store.getZone("example.net")]);
      expect(d.createdZones).toEqual(["example.com", "example.net"]);
      expect(d.hosts.map((h) => h.fqdn)).toEqual([
        "a.example.com",
        "b.example.com",
        "c.example.com",
        "d.example.net",
      ]);
      expect(d.rrsets).toEqual([{ fqdn: "c.example.com", ...(await store.getRRSets("c.example.com"))[0] }]);
      expect(d.removedZones).toEqual([]);
      expect(d.removedHosts).toEqual([]);
      expect(await store.changesSince(seq, LIMIT)).toMatchObject({ seq, zones: [], hosts: [] });
    });

    it("names only the hosts and zones touched after the position", async () => {
      const store = get();
      await seed(store);
      const before = await store.changeSeq();
      await store.commit({ writes: [setA("b.example.com", "192.0.2.2")], history: [], at: T0 + 1 });
      const d = await delta(store, before);
      expect(d.hosts).toEqual([await store.getHost("b.example.com")]);
      expect(d.rrsets).toEqual([{ fqdn: "b.example.com", ...(await store.getRRSets("b.example.com"))[0] }]);
      expect(d.zones).toEqual([await store.getZone("example.com")]);
      expect(d.createdZones).toEqual([]);
      expect(d.seq).toBeGreaterThan(before);
    });

    it("names deleted sets, hosts and zones", async () => {
      const store = get();
      await seed(store);
      const before = await store.changeSeq();
      await store.commit({
        writes: [{ fqdn: "c.example.com", type: "A", rrset: null }],
        history: [],
        at: T0,
      });
      await store.deleteHost("a.example.com", T0);
      await store.deleteZone("example.net", { cascade: true });
      const d = await delta(store, before);
      expect(d.hosts.map((h) => h.fqdn)).toEqual(["c.example.com"]);
      expect(d.rrsets).toEqual([]);
      expect(d.removedHosts).toContainEqual({ fqdn: "a.example.com", zone: "example.com" });
      expect(d.removedHosts.every((h) => h.fqdn !== "d.example.net" || h.zone === "example.net")).toBe(true);
      expect(d.removedZones).toEqual(["example.net"]);
      expect(d.zones.map((z) => z.name)).toEqual(["example.com"]);
    });

    it("marks a zone deleted and created again as created, with its hosts as they are now", async () => {
      const store = get();
      await seed(store);
      const before = await store.changeSeq();
      await store.deleteZone("example.net", { cascade: true });
      await store.createZone(zoneFixture("example.net", { serial: 7 }));
      await store.createHost(hostFixture("e.example.net", "example.net"));
      const d = await delta(store, before);
      expect(d.createdZones).toEqual(["example.net"]);
      expect(d.zones).toEqual([await store.getZone("example.net")]);
      expect(d.hosts.map((h) => h.fqdn)).toEqual(["e.example.net"]);
      expect(d.removedZones).toEqual([]);
    });

    it("a change that fails logs nothing", async () => {
      const store = get();
      await seed(store);
      const before = await store.changeSeq();
      await expect(
        store.commit({
          writes: [setA("a.example.com", "192.0.2.9"), setA("nope.example.com", "192.0.2.9")],
          history: [],
          at: T0,
        }),
      ).rejects.toMatchObject({ code: "host_not_found" });
      await expect(store.createHost(hostFixture("a.example.com", "example.com"))).rejects.toMatchObject({
        code: "host_exists",
      });
      expect(await store.changeSeq()).toBe(before);
    });

    it("cannot say past a prune, ahead of the log, or over the limit; a kept position still works", async () => {
      const store = get();
      await seed(store);
      const middle = await store.changeSeq();
      for (const v of ["192.0.2.10", "192.0.2.11", "192.0.2.12"])
        await store.commit({ writes: [setA("a.example.com", v)], history: [], at: T0 });
      const last = await store.changeSeq();
      expect(await store.changesSince(last + 1, LIMIT)).toBeUndefined();
      expect(await store.changesSince(middle, 1)).toBeUndefined();
      expect(await store.pruneChanges(last - middle, 2)).toBe(2); // bounded by the limit
      expect(await store.changesSince(0, LIMIT)).toBeUndefined();
      const removed = await store.pruneChanges(last - middle, LIMIT);
      expect(removed).toBeGreaterThan(0);
      expect(await store.pruneChanges(last - middle, LIMIT)).toBe(0);
      expect((await delta(store, middle)).hosts.map((h) => h.fqdn)).toEqual(["a.example.com"]);
      expect(await store.changesSince(middle - 1, LIMIT)).toBeUndefined();
      expect(await store.pruneChanges(0, LIMIT)).toBe(last - middle - 1); // keeps at least one
      expect(await store.changeSeq()).toBe(last); // positions are never reused
      expect(await store.changesSince(last, LIMIT)).toMatchObject({ seq: last, hosts: [] });
    });

    it("zoneList: the zones with the position of the newest zone creation or deletion, not moved by other changes", async () => {
      const store = get();
      const list = async () => {
        const l = await store.zoneList!();
        return { seq: l.seq, zones: [...l.zones].sort((a, b) => (a.name < b.name ? -1 : 1)) };
      };
      expect(await list()).toEqual({ seq: 0, zones: [] });
      await seed(store);
      const seeded = await list();
      expect(seeded.zones).toEqual([
        { name: "example.com", createdAt: zoneFixture("example.com").createdAt },
        { name: "example.net", createdAt: zoneFixture("example.net").createdAt },
      ]);
      expect(seeded.seq).toBeGreaterThan(0);
      expect(seeded.seq).toBeLessThan(await store.changeSeq()); // hosts and sets came after
      await store.commit({ writes: [setA("a.example.com", "192.0.2.1")], history: [], at: T0 });
      await store.updateZone("example.com", { ttl: 120 });
      expect(await list()).toEqual(seeded);
      await store.deleteZone("example.net", { cascade: true });
      const deleted = await list();
      expect(deleted.seq).toBeGreaterThan(seeded.seq);
      expect(deleted.zones.map((z) => z.name)).toEqual(["example.com"]);
      await store.createZone(zoneFixture("example.net"));
      expect((await list()).seq).toBeGreaterThan(deleted.seq);
      // pruned past every zone row: the oldest position kept minus one, never less than before
      const before = (await list()).seq;
      for (let i = 0; i < 3; i++)
        await store.commit({ writes: [setA("a.example.com", `192.0.2.${10 + i}`)], history: [], at: T0 });
      await store.pruneChanges(1, 1000);
      const pruned = await list();
      expect(pruned.seq).toBe((await store.changeSeq()) - 1);
      expect(pruned.seq).toBeGreaterThanOrEqual(before);
    });
  });

  describe("zone log (the durable IXFR journal)", () => {
    const ZONE = "example.com";
    const serialOf = async (store: ZoneStore) => (await store.getZone(ZONE))!.serial;
    const set = (value: string, ttl = 60) => ({ type: "A", ttl, values: [value] });

    async function seeded(store: ChangeFeed & ZoneStore): Promise<number> {
      await store.createZone(zoneFixture(ZONE));
      await store.createHost(hostFixture("a.example.com", ZONE));
      await store.commit({ writes: [setA("a.example.com", "192.0.2.1")], history: [], at: T0 });
      return serialOf(store);
    }

    it("gives the values around each change from a serial on, the serial's own zone entry first", async () => {
      const store = get();
      const s0 = await seeded(store);
      await store.commit({ writes: [setA("a.example.com", "192.0.2.2")], history: [], at: T0 });
      const s1 = await serialOf(store);
      await store.updateZone(ZONE, { ttl: 600 });
      const s2 = await serialOf(store);
      await store.deleteHost("a.example.com", T0);
      const s3 = await serialOf(store);
      const log = await store.zoneLog(ZONE, s0, LIMIT);
      expect(log).toMatchObject([
        { kind: "zone", after: { name: ZONE, serial: s0, ttl: 300 } },
        { kind: "rrset", fqdn: "a.example.com", before: set("192.0.2.1"), after: set("192.0.2.2") },
        { kind: "zone", before: { serial: s0 }, after: { serial: s1 } },
        {
          kind: "zone",
          before: { serial: s1, ttl: 300 },
          after: { serial: s2, ttl: 600, soa: { mname: "ns1.example.com" } },
        },
        { kind: "rrset", fqdn: "a.example.com", before: set("192.0.2.2"), after: null },
        { kind: "zone", before: { serial: s2 }, after: { serial: s3 } },
      ]);
      const seqs = log!.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(await store.zoneLog(ZONE, s3, LIMIT)).toMatchObject([{ kind: "zone", after: { serial: s3 } }]);
      expect(await store.zoneLog(ZONE, s2, LIMIT)).toHaveLength(3);
    });

    it("follows a serial across the wrap-around (4294967295, then 1)", async () => {
      const store = get();
      await store.createZone(zoneFixture(ZONE, { serial: 4294967295 }));
      await store.createHost(hostFixture("a.example.com", ZONE));
      expect(await serialOf(store)).toBe(1);
      const log = await store.zoneLog(ZONE, 4294967295, LIMIT);
      expect(log?.map((e) => e.kind === "zone" && e.after?.serial)).toEqual([4294967295, 1]);
    });

    it("cannot say for an absent zone, a serial it never had, a wrapped or negative one, or over the limit", async () => {
      const store = get();
      const s0 = await seeded(store);
      await store.commit({ writes: [setA("a.example.com", "192.0.2.2")], history: [], at: T0 });
      await store.commit({ writes: [setA("a.example.com", "192.0.2.3")], history: [], at: T0 });
      expect(await store.zoneLog("example.org", s0, LIMIT)).toBeUndefined();
      expect(await store.zoneLog(ZONE, s0 + 1000, LIMIT)).toBeUndefined();
      expect(await store.zoneLog(ZONE, s0 + 2 ** 32, LIMIT)).toBeUndefined();
      expect(await store.zoneLog(ZONE, -1, LIMIT)).toBeUndefined();
      expect(await store.zoneLog(ZONE, s0, 3)).toBeUndefined(); // four entries follow
      expect(await store.zoneLog(ZONE, s0, 4)).toHaveLength(5);
    });

    it("cannot say past a prune; the current serial still works", async () => {
      const store = get();
      const s0 = await seeded(store);
      await store.commit({ writes: [setA("a.example.com", "192.0.2.2")], history: [], at: T0 });
      const s1 = await serialOf(store);
      await store.pruneChanges(1, LIMIT);
      expect(await store.zoneLog(ZONE, s0, LIMIT)).toBeUndefined();
      expect(await store.zoneLog(ZONE, s1, LIMIT)).toMatchObject([{ kind: "zone", after: { serial: s1 } }]);
    });

    it("shows a zone deleted and created again (the reader must not diff across it)", async () => {
      const store = get();
      const s0 = await seeded(store);
      await store.deleteZone(ZONE, { cascade: true });
      await store.createZone(zoneFixture(ZONE, { serial: s0 }));
      const log = await store.zoneLog(ZONE, s0, LIMIT);
      expect(log).toMatchObject([{ kind: "zone", before: null, after: { serial: s0 } }]);
      await store.deleteZone(ZONE);
      expect((await store.zoneLog(ZONE, s0, LIMIT))?.at(-1)).toMatchObject({ kind: "zone", after: null });
    });
  });
}
