// The Store contract suite: every implementation calls runStoreContract from its own test file.
// Each test gets a fresh, empty store from `make` and releases it with `cleanup`.

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { initialSerial, nextSerial } from "../../core/serial.js";
import type { ChangeBatch, HistoryEntry, Host, RRSetWrite, TokenRecord } from "../types.js";
import type { Store } from "../ports.js";
import type { Zone } from "../../core/zones.js";
import { expectCode, historyFixture, hostFixture, T0, tokenFixture, zoneFixture } from "./fixtures.js";
import { changesContract } from "./changes-contract.js";
import { historyContract } from "./history-contract.js";
import { keysContract } from "./keys-contract.js";
import { limitsContract } from "./limits-contract.js";
import { mirrorContract } from "./mirror-contract.js";
import { tokensContract } from "./tokens-contract.js";
import { usersContract } from "./users-contract.js";

export interface StoreFixture {
  readonly store: Store;
  cleanup(): Promise<void>;
}

function setA(fqdn: string, values: string[], ttl = 60): RRSetWrite {
  return { fqdn, type: "A", rrset: { ttl, values } };
}

function batch(writes: RRSetWrite[], history: HistoryEntry[] = [], at = T0 + 1000): ChangeBatch {
  return { writes, history, at };
}

type DeepWritable<T> = { -readonly [K in keyof T]: DeepWritable<T[K]> };

/** Drops readonly typing, to prove that mutating a returned copy cannot reach the store. */
function tamper<T>(v: T | undefined): DeepWritable<T> {
  if (v === undefined) throw new Error("expected a value to tamper with");
  return v;
}

async function serialOf(store: Store, zone: string): Promise<number> {
  const z = await store.getZone(zone);
  if (z === undefined) throw new Error(`zone ${zone} missing`);
  return z.serial;
}

export function runStoreContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    /** example.com with hosts a. and b., example.net with host c. */
    async function seed(): Promise<void> {
      await store.createZone(zoneFixture("example.com"));
      await store.createZone(zoneFixture("example.net", { serial: 5000 }));
      await store.createHost(hostFixture("a.example.com", "example.com"));
      await store.createHost(hostFixture("b.example.com", "example.com", { ttl: 30, description: "b" }));
      await store.createHost(hostFixture("c.example.net", "example.net"));
    }

    describe("zones", () => {
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
        await expectCode(
          store.createZone(zoneFixture("example.com", { ttl: 999, serial: 7 })),
          "zone_exists",
        );
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
        await seed();
        await store.commit(batch([setA("a.example.com", ["192.0.2.1"])], [historyFixture("a.example.com")]));
        const before = await store.snapshot();
        await expectCode(store.deleteZone("example.com"), "zone_not_empty");
        await expectCode(store.deleteZone("example.com", { cascade: false }), "zone_not_empty");
        expect(await store.snapshot()).toEqual(before);
        expect(await store.listHistory("a.example.com")).toHaveLength(1);
      });

      it("cascades to the zone's hosts, rrsets and history, and only those", async () => {
        await seed();
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
        await seed();
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

    describe("hosts", () => {
      it("creates and gets hosts, keeping an undefined ttl undefined", async () => {
        await seed();
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
        await seed();
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
        await seed();
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
        await seed();
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

    describe("record sets and commit", () => {
      it("writes sets, returns them sorted by type with values in the order given", async () => {
        await seed();
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
        await seed();
        const values = ['say "hi"', "naïve ☃", "[1,2]", "", "back\\slash"];
        await store.commit(batch([{ fqdn: "a.example.com", type: "TXT", rrset: { ttl: 60, values } }]));
        expect((await store.getRRSets("a.example.com"))[0]?.values).toEqual(values);
      });

      it("replaces an existing set (ttl, values, updatedAt)", async () => {
        await seed();
        await store.commit(batch([setA("a.example.com", ["192.0.2.1"], 60)], [], T0 + 1));
        await store.commit(batch([setA("a.example.com", ["192.0.2.2", "192.0.2.3"], 90)], [], T0 + 2));
        expect(await store.getRRSets("a.example.com")).toEqual([
          { type: "A", ttl: 90, values: ["192.0.2.2", "192.0.2.3"], updatedAt: T0 + 2 },
        ]);
      });

      it("deletes a set when the write is null, leaving other types", async () => {
        await seed();
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
        await seed();
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
        await seed();
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
        await seed();
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
        await seed();
        expect((await store.commit(batch([]))).serials.size).toBe(0);
        expect(await serialOf(store, "example.com")).toBe(1002);
      });

      it("fails the whole batch with host_not_found when one write names a missing host", async () => {
        await seed();
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

    describe("history", () => {
      it("round-trips every field, undefined included", async () => {
        await seed();
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
        await seed();
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
        await seed();
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
        await seed();
        const entries = Array.from({ length: 105 }, (_, i) =>
          historyFixture("a.example.com", { at: T0 + i }),
        );
        await store.commit(batch([], entries));
        const list = await store.listHistory("a.example.com");
        expect(list).toHaveLength(100);
        expect(list[0]?.at).toBe(T0 + 104);
        expect(list[99]?.at).toBe(T0 + 5);
      });
    });

    tokensContract(() => store);

    describe("copies", () => {
      it("returned objects can be mutated without changing the store", async () => {
        await seed();
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

    describe("snapshot", () => {
      it("returns every zone, host and rrset, consistent with the other reads", async () => {
        expect(await store.snapshot()).toEqual({ zones: [], hosts: [], rrsets: [] });
        await seed();
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

    historyContract(() => store);

    mirrorContract(() => store);

    keysContract(() => store);

    limitsContract(() => store);

    usersContract(() => store);

    changesContract(() => store);

    describe("externalVersion and close", () => {
      it("is a number that this store's own writes do not change", async () => {
        const v0 = await store.externalVersion();
        expect(Number.isInteger(v0)).toBe(true);
        await seed();
        await store.commit(batch([setA("a.example.com", ["192.0.2.1"])]));
        await store.createToken(tokenFixture("tk_1"));
        expect(await store.externalVersion()).toBe(v0);
      });

      it("is writable while open; fails with store_unavailable after close, and close is idempotent", async () => {
        await seed();
        expect(store.health()).toEqual({ writable: true });
        await store.close();
        await store.close();
        expect(store.health()).toMatchObject({ writable: false, problem: { code: "store_unavailable" } });
        await expectCode(store.getZone("example.com"), "store_unavailable");
        await expectCode(store.commit(batch([])), "store_unavailable");
        await expectCode(store.snapshot(), "store_unavailable");
      });
    });
  });
}
