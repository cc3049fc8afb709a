// The journal in front of the zone index: it reads each host's old state from the index before
// passing the change on, keeps only the IXFR history, and serves AXFR content read from the index.

import { describe, expect, it } from "vitest";
import type { RRSet } from "../../core/records.js";
import type { Zone } from "../../core/zones.js";
import type { Snapshot } from "../../store/types.js";
import { EXAMPLE_ZONE, SNAPSHOT } from "../testing/fixtures.js";
import { ZoneIndex } from "../answer/zone-index.js";
import type { ContentHolder } from "../answer/held-zones.js";
import { ZoneJournal, type XfrRecord, type ZoneDiff } from "./journal.js";

const ZONE = EXAMPLE_ZONE.name;
const S0 = EXAMPLE_ZONE.serial;

const a = (...values: string[]): RRSet[] => [{ type: "A", ttl: 60, values }];

function loaded(): { index: ZoneIndex; journal: ZoneJournal } {
  const index = new ZoneIndex();
  const journal = new ZoneJournal(index);
  journal.load(SNAPSHOT);
  return { index, journal };
}

const key = (r: XfrRecord) => `${r.name} ${r.type} ${r.ttl} ${[...r.rdata].join(".")}`;
const axfr = (journal: ZoneJournal, zone = ZONE) => journal.zone(zone)!.records().map(key);

/** The zone's records as the index answers queries for them, in the same form as `axfr`. */
function fromQueries(index: ZoneIndex, names: readonly string[], zoneName = ZONE): string[] {
  const zone = index.findZone(zoneName)!;
  const ns = zone.nsRdata.map((rdata) => `${zoneName} 2 ${zone.ttl} ${[...rdata].join(".")}`);
  const hosts = names.flatMap((name) =>
    [...(index.lookup(zone, name)?.sets.values() ?? [])]
      .sort((x, y) => x.typeCode - y.typeCode)
      .flatMap((set) =>
        set.rdata.map((rdata) => `${name} ${set.typeCode} ${set.ttl} ${[...rdata].join(".")}`),
      ),
  );
  return [...ns, ...hosts];
}

/** Wraps an index, writing down each call the journal makes on it. */
function recording(index: ZoneIndex, calls: string[]): ContentHolder {
  const said =
    <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(name);
      return fn(...args);
    };
  return {
    zone: said("zone", (n: string) => index.zone(n)),
    host: said("host", (f: string) => index.host(f)),
    hosts: said("hosts", (z: string) => index.hosts(z)),
    load: said("load", (s: Snapshot) => index.load(s)),
    zoneChanged: said("zoneChanged", (z: Zone) => index.zoneChanged(z)),
    zoneRemoved: said("zoneRemoved", (n: string) => index.zoneRemoved(n)),
    hostChanged: said("hostChanged", (f: string, z: string, s: readonly RRSet[]) =>
      index.hostChanged(f, z, s),
    ),
    hostRemoved: said("hostRemoved", (f: string, z: string) => index.hostRemoved(f, z)),
    serialChanged: said("serialChanged", (z: string, s: number) => index.serialChanged(z, s)),
  };
}

describe("ZoneJournal", () => {
  it("computes a diff from the index's state just before the change, then passes the change on", () => {
    const index = new ZoneIndex();
    const calls: string[] = [];
    const journal = new ZoneJournal(recording(index, calls));
    journal.load(SNAPSHOT);
    calls.length = 0;
    journal.hostChanged("www.dyn.example.test", ZONE, a("not-an-ip", "192.0.2.99"));
    expect(calls).toEqual(["host", "hostChanged", "host"]);
    calls.length = 0;
    journal.serialChanged(ZONE, S0 + 1);
    expect(calls.slice(0, 2)).toEqual(["zone", "serialChanged"]);
    const [diff] = journal.diffsSince(ZONE, S0)!;
    // What the index held before (A and AAAA) against what it holds now (the one value it could encode).
    expect(diff!.removed.map(key)).toEqual([
      "www.dyn.example.test 1 60 192.0.2.1",
      "www.dyn.example.test 28 60 32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1",
    ]);
    expect(diff!.added.map(key)).toEqual(["www.dyn.example.test 1 60 192.0.2.99"]);
    const node = index.lookup(index.findZone(ZONE)!, "www.dyn.example.test")!;
    expect([...node.sets.values()].map((s) => s.values)).toEqual([["192.0.2.99"]]);
  });

  it("an IXFR after several commits takes a secondary from any serial it covers to the current content", () => {
    const { journal } = loaded();
    const axfrAt = new Map<number, string[]>([[S0, axfr(journal)]]);
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % n;
    const names = [
      "www.dyn.example.test",
      "big.example.test",
      "n1.example.test",
      "n2.x.example.test",
      "ns1.example.test",
    ];
    for (let commit = 1; commit <= 12; commit++) {
      for (let change = 0; change < 3; change++) {
        const name = names[rnd(names.length)]!;
        const pick = rnd(4);
        if (pick === 0) journal.hostRemoved(name, ZONE);
        else if (pick === 1) journal.hostChanged(name, ZONE, []);
        else
          journal.hostChanged(name, ZONE, [
            { type: "A", ttl: pick === 2 ? 60 : 30, values: [`192.0.2.${rnd(3)}`, `192.0.2.${3 + rnd(3)}`] },
            ...(rnd(2) === 0 ? [{ type: "TXT" as const, ttl: 60, values: [`t${rnd(2)}`] }] : []),
          ]);
      }
      journal.serialChanged(ZONE, S0 + commit);
      axfrAt.set(S0 + commit, axfr(journal));
    }
    const now = new Set(axfr(journal));
    for (const [serial, content] of axfrAt) {
      const diffs = journal.diffsSince(ZONE, serial)!;
      expect(diffs.map((d) => d.from)).toEqual([...axfrAt.keys()].filter((s) => s >= serial && s < S0 + 12));
      expect(apply(new Set(content), diffs)).toEqual(now);
    }
  });

  it("serves AXFR content, SOA and serial as the index holds them, read at transfer time", () => {
    const { index, journal } = loaded();
    const names = [
      "a.b.c.example.test",
      "big.example.test",
      "medium.example.test",
      "ns1.example.test",
      "www.dyn.example.test",
    ];
    expect(axfr(journal)).toEqual(fromQueries(index, names));
    journal.hostChanged("zz.example.test", ZONE, a("192.0.2.77"));
    journal.zoneChanged({ ...EXAMPLE_ZONE, serial: S0 + 1, ttl: 900 });
    const content = journal.zone(ZONE)!;
    const zone = index.findZone(ZONE)!;
    expect([content.serial, content.ttl, [...content.soaRdata]]).toEqual([
      zone.serial,
      zone.ttl,
      [...zone.soaRdata],
    ]);
    expect(axfr(journal)).toEqual(fromQueries(index, [...names, "zz.example.test"]));
    // The records come from the index when asked for, not from a copy taken earlier.
    journal.hostRemoved("zz.example.test", ZONE);
    expect(content.records().map(key)).toEqual(fromQueries(index, names));
    expect(axfr(journal, "sub.example.test")).toEqual(
      fromQueries(index, ["x.sub.example.test"], "sub.example.test"),
    );
  });

  it("a change for a zone it does not know adds no diff anywhere, and a host leaving for one is removed", () => {
    const { index, journal } = loaded();
    const before = axfr(journal);
    journal.hostChanged("h.unknown.test", "unknown.test", a("192.0.2.1"));
    journal.hostRemoved("h.unknown.test", "unknown.test");
    journal.serialChanged("unknown.test", 7);
    journal.zoneRemoved("unknown.test");
    expect([journal.zone("unknown.test"), journal.diffsSince("unknown.test", 1)]).toEqual([
      undefined,
      undefined,
    ]);
    expect(index.findZone("h.unknown.test")).toBeUndefined();
    journal.serialChanged(ZONE, S0 + 1);
    expect(journal.diffsSince(ZONE, S0)?.map((d) => d.removed.length + d.added.length)).toEqual([0]);
    expect(axfr(journal)).toEqual(before);
    // A host of ours told to live in a zone nobody holds leaves ours (as the index does).
    journal.hostChanged("ns1.example.test", "unknown.test", a("192.0.2.53"));
    journal.serialChanged(ZONE, S0 + 2);
    const [diff] = journal.diffsSince(ZONE, S0 + 1)!;
    expect([diff!.removed.map(key), diff!.added]).toEqual([["ns1.example.test 1 3600 192.0.2.53"], []]);
  });

  it("a host moved between zones is removed from one diff and added to the other", () => {
    const { journal } = loaded();
    journal.hostChanged("y.x.sub.example.test", ZONE, a("192.0.2.8"));
    journal.serialChanged(ZONE, S0 + 1);
    journal.hostChanged("y.x.sub.example.test", "sub.example.test", a("192.0.2.8"));
    journal.serialChanged(ZONE, S0 + 2);
    journal.serialChanged("sub.example.test", 8);
    const [out] = journal.diffsSince(ZONE, S0 + 1)!;
    const [into] = journal.diffsSince("sub.example.test", 7)!;
    expect([out!.removed.map((r) => r.name), out!.added]).toEqual([["y.x.sub.example.test"], []]);
    expect([into!.removed, into!.added.map((r) => r.name)]).toEqual([[], ["y.x.sub.example.test"]]);
  });

  it("a reload at the same serial keeps the diffs; one with changes pending forgets them; dropped zones go", () => {
    const { journal } = loaded();
    journal.hostChanged("www.dyn.example.test", ZONE, a("192.0.2.5"));
    journal.serialChanged(ZONE, S0 + 1);
    const current = { ...SNAPSHOT, zones: [{ ...EXAMPLE_ZONE, serial: S0 + 1 }] };
    journal.load(current);
    expect(journal.diffsSince(ZONE, S0)).toHaveLength(1);
    expect(journal.zone("sub.example.test")).toBeUndefined();
    journal.hostChanged("big.example.test", ZONE, []); // pending, never closed by a serial
    journal.load({ ...SNAPSHOT, zones: [{ ...EXAMPLE_ZONE, serial: S0 + 3 }] });
    expect(journal.diffsSince(ZONE, S0)).toBeUndefined();
    expect(journal.diffsSince(ZONE, S0 + 3)).toEqual([]);
  });
});

/** Applies IXFR diffs to a set of record keys, checking each removal was there and each add was not. */
function apply(content: Set<string>, diffs: readonly ZoneDiff[]): Set<string> {
  for (const d of diffs) {
    for (const r of d.removed) expect(content.delete(key(r)), `remove ${key(r)}`).toBe(true);
    for (const r of d.added) {
      expect(content.has(key(r)), `add ${key(r)}`).toBe(false);
      content.add(key(r));
    }
  }
  return content;
}
