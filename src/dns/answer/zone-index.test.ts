import { describe, expect, it } from "vitest";
import { EXAMPLE_ZONE, SNAPSHOT } from "../testing/fixtures.js";
import { ZoneIndex } from "./zone-index.js";

function loaded(): ZoneIndex {
  const index = new ZoneIndex();
  index.load(SNAPSHOT);
  return index;
}

function exists(index: ZoneIndex, name: string): boolean {
  const zone = index.findZone(name);
  return zone !== undefined && index.lookup(zone, name) !== undefined;
}

describe("ZoneIndex", () => {
  it("findZone picks the longest containing zone and nothing outside", () => {
    const index = loaded();
    expect(index.findZone("example.test")?.name).toBe("example.test");
    expect(index.findZone("a.b.example.test")?.name).toBe("example.test");
    expect(index.findZone("sub.example.test")?.name).toBe("sub.example.test");
    expect(index.findZone("deep.x.sub.example.test")?.name).toBe("sub.example.test");
    for (const outside of ["test", "xexample.test", "example.test.org", ""]) {
      expect([outside, index.findZone(outside)]).toEqual([outside, undefined]);
    }
  });

  it("exposes the zone's SOA, NS, serial and label count", () => {
    const zone = loaded().findZone("example.test")!;
    expect(zone).toMatchObject({
      serial: 2024010101,
      ttl: 3600,
      labelCount: 2,
      nameservers: EXAMPLE_ZONE.nameservers,
    });
    expect(zone.nsRdata).toHaveLength(2);
    expect(zone.soa.minimum).toBe(300);
  });

  it("hosts exist with their sets; ancestors up to the apex exist empty (ENT); others do not", () => {
    const index = loaded();
    const zone = index.findZone("www.dyn.example.test")!;
    const node = index.lookup(zone, "www.dyn.example.test")!;
    expect([...node.sets.values()].map((s) => [s.type, s.values])).toEqual([
      ["A", ["192.0.2.1"]],
      ["AAAA", ["2001:db8::1"]],
    ]);
    expect(index.lookup(zone, "dyn.example.test")?.sets.size).toBe(0);
    expect(index.lookup(zone, "example.test")).toBeDefined();
    // a host without records is not in the zone's AXFR, so it does not exist (as on the secondaries)
    expect(index.lookup(zone, "empty.example.test")).toBeUndefined();
    expect(index.lookup(zone, "nope.example.test")).toBeUndefined();
    expect(index.lookup(zone, "x.www.dyn.example.test")).toBeUndefined();
  });

  it("a host whose last set is deleted stops existing, and so do the empty non-terminals it held", () => {
    const index = loaded();
    const zone = index.findZone("example.test")!;
    const stamp = zone.stamp;
    index.hostChanged("www.dyn.example.test", "example.test", []);
    expect(index.lookup(zone, "www.dyn.example.test")).toBeUndefined();
    expect(index.lookup(zone, "dyn.example.test")).toBeUndefined();
    expect(zone.stamp).not.toBe(stamp); // names disappeared: every negative answer is recomputed
    index.hostChanged("www.dyn.example.test", "example.test", [{ type: "A", ttl: 5, values: ["192.0.2.7"] }]);
    expect(index.lookup(zone, "www.dyn.example.test")?.sets.size).toBe(1);
    expect(index.lookup(zone, "dyn.example.test")?.sets.size).toBe(0);
  });

  it("a host without records exists as an empty non-terminal while a host with records lies below it", () => {
    const index = loaded();
    const zone = index.findZone("example.test")!;
    index.hostChanged("mid.example.test", "example.test", []);
    index.hostChanged("leaf.mid.example.test", "example.test", []);
    expect(index.lookup(zone, "mid.example.test")).toBeUndefined();
    expect(index.lookup(zone, "leaf.mid.example.test")).toBeUndefined();
    index.hostChanged("leaf.mid.example.test", "example.test", [{ type: "TXT", ttl: 5, values: ["x"] }]);
    expect(index.lookup(zone, "mid.example.test")?.sets.size).toBe(0);
    index.hostRemoved("leaf.mid.example.test", "example.test");
    expect(index.lookup(zone, "mid.example.test")).toBeUndefined();
    // mid is still a host: records given to it later make it exist again
    index.hostChanged("mid.example.test", "example.test", [{ type: "TXT", ttl: 5, values: ["y"] }]);
    expect(index.lookup(zone, "mid.example.test")?.sets.size).toBe(1);
  });

  it("a host moved to another zone leaves no trace in the old one", () => {
    const index = loaded();
    const txt = [{ type: "TXT" as const, ttl: 5, values: ["x"] }];
    index.hostChanged("y.x.sub.example.test", "example.test", txt);
    expect(index.lookup(index.findZone("example.test")!, "x.sub.example.test")).toBeDefined();
    index.hostChanged("y.x.sub.example.test", "sub.example.test", txt);
    expect(index.lookup(index.findZone("example.test")!, "x.sub.example.test")).toBeUndefined();
    expect(exists(index, "y.x.sub.example.test")).toBe(true);
  });

  it("ignores hosts of unknown zones or outside their zone, and values it cannot encode", () => {
    const index = loaded();
    index.hostChanged("h.unknown.test", "unknown.test", []);
    index.hostChanged("h.example.org", "example.test", []);
    expect(index.findZone("h.unknown.test")).toBeUndefined();
    expect(index.lookup(index.findZone("example.test")!, "h.example.org")).toBeUndefined();
    index.hostChanged("bad.example.test", "example.test", [
      { type: "A", ttl: 5, values: ["not-an-ip", "192.0.2.5"] },
      { type: "AAAA", ttl: 5, values: ["192.0.2.5"] },
    ]);
    const node = index.lookup(index.findZone("example.test")!, "bad.example.test")!;
    expect([...node.sets.values()].map((s) => [s.type, s.values])).toEqual([["A", ["192.0.2.5"]]]);
  });

  it("hostRemoved of an unknown host and serialChanged of an unknown zone are no-ops", () => {
    const index = loaded();
    index.hostRemoved("nope.example.test", "example.test");
    index.hostRemoved("dyn.example.test", "example.test"); // an ENT, not a host
    index.serialChanged("unknown.test", 5);
    expect(exists(index, "dyn.example.test")).toBe(true);
    expect(exists(index, "www.dyn.example.test")).toBe(true);
  });

  describe("as the content the transfer journal reads (HeldZones)", () => {
    it("zone() is exact; host() says where a host is; hosts() lists only names with records", () => {
      const index = loaded();
      expect(index.zone("example.test")).toBe(index.findZone("example.test"));
      expect(index.zone("dyn.example.test")).toBeUndefined();
      expect(index.host("x.sub.example.test")?.zone).toBe("sub.example.test");
      expect(index.host("empty.example.test")).toMatchObject({ zone: "example.test", sets: new Map() });
      expect(index.host("dyn.example.test")).toBeUndefined(); // an ENT, not a host
      expect([...index.hosts("example.test")].map((n) => n.name).sort()).toEqual([
        "a.b.c.example.test",
        "big.example.test",
        "medium.example.test",
        "ns1.example.test",
        "www.dyn.example.test",
      ]);
      expect([...index.hosts("unknown.test")]).toEqual([]);
      index.hostChanged("x.sub.example.test", "example.test", []);
      expect(index.host("x.sub.example.test")?.zone).toBe("example.test");
      index.hostRemoved("x.sub.example.test", "example.test");
      expect(index.host("x.sub.example.test")).toBeUndefined();
    });

    it("never mutates a sets map it handed out: a change replaces it", () => {
      const index = loaded();
      const before = index.host("www.dyn.example.test")!.sets;
      const types = [...before.keys()];
      index.hostChanged("www.dyn.example.test", "example.test", [{ type: "TXT", ttl: 5, values: ["x"] }]);
      expect([...before.keys()]).toEqual(types);
      const changed = index.host("www.dyn.example.test")!.sets;
      expect([...changed.keys()]).toEqual([16]);
      index.hostRemoved("www.dyn.example.test", "example.test");
      index.load(SNAPSHOT);
      expect([...changed.keys()]).toEqual([16]);
    });
  });
});
