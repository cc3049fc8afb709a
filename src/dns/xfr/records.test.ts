// Transfer records are built from the index's wire sets in AXFR order, and the RR-level difference
// of two host states or two zone states is what the whole-record comparison would say.

import { describe, expect, it } from "vitest";
import type { RRSet } from "../../core/records.js";
import { EXAMPLE_ZONE, SNAPSHOT } from "../testing/fixtures.js";
import type { WireRRSet } from "../answer/types.js";
import { toWireRRSet } from "../wire/rrset.js";
import { ZoneIndex } from "../answer/zone-index.js";
import {
  contentDifference,
  difference,
  heldContent,
  hostDifference,
  hostRecords,
  NO_SETS,
  zoneRecords,
  type XfrRecord,
} from "./records.js";

const ZONE = EXAMPLE_ZONE.name;

function sets(...list: RRSet[]): Map<number, WireRRSet> {
  return new Map(list.map((s) => toWireRRSet(s)!).map((w) => [w.typeCode, w]));
}

const a = (ttl: number, ...values: string[]): RRSet => ({ type: "A", ttl, values });
const aaaa = (ttl: number, ...values: string[]): RRSet => ({ type: "AAAA", ttl, values });
const txt = (ttl: number, ...values: string[]): RRSet => ({ type: "TXT", ttl, values });

/** "name type ttl rdata-bytes" of each record, in order. */
const show = (records: readonly XfrRecord[]) =>
  records.map((r) => `${r.name} ${r.type} ${r.ttl} ${[...r.rdata].join(".")}`);

describe("hostRecords", () => {
  it("lists a host's records in type order, values in set order", () => {
    const records = hostRecords(
      "h.example.test",
      sets(txt(5, "x"), aaaa(5, "2001:db8::1"), a(5, "192.0.2.2", "192.0.2.1")),
    );
    expect(records.map((r) => [r.type, r.rdata.length])).toEqual([
      [1, 4],
      [1, 4],
      [16, 2],
      [28, 16],
    ]);
    expect(show(records)[0]).toBe("h.example.test 1 5 192.0.2.2");
  });
});

describe("hostDifference", () => {
  const name = "h.example.test";
  it.each<[string, Map<number, WireRRSet>, Map<number, WireRRSet>, string[], string[]]>([
    ["nothing changed", sets(a(60, "192.0.2.1")), sets(a(60, "192.0.2.1")), [], []],
    [
      "one value of a set replaced",
      sets(a(60, "192.0.2.1", "192.0.2.2")),
      sets(a(60, "192.0.2.1", "192.0.2.3")),
      ["1 60 192.0.2.2"],
      ["1 60 192.0.2.3"],
    ],
    [
      "a TTL change removes and adds the set whole",
      sets(a(60, "192.0.2.1", "192.0.2.2")),
      sets(a(30, "192.0.2.1", "192.0.2.2")),
      ["1 60 192.0.2.1", "1 60 192.0.2.2"],
      ["1 30 192.0.2.1", "1 30 192.0.2.2"],
    ],
    [
      "values reordered only",
      sets(a(60, "192.0.2.1", "192.0.2.2")),
      sets(a(60, "192.0.2.2", "192.0.2.1")),
      [],
      [],
    ],
    [
      "a type added, another untouched",
      sets(a(60, "192.0.2.1")),
      sets(a(60, "192.0.2.1"), txt(60, "hi")),
      [],
      ["16 60 2.104.105"],
    ],
    [
      "every set deleted",
      sets(a(60, "192.0.2.1"), txt(60, "hi")),
      NO_SETS as Map<number, WireRRSet>,
      ["1 60 192.0.2.1", "16 60 2.104.105"],
      [],
    ],
  ])("%s", (_why, before, after, removed, added) => {
    const change = hostDifference(name, before, after);
    const strip = (r: readonly XfrRecord[]) => show(r).map((s) => s.slice(name.length + 1));
    expect([strip(change.removed), strip(change.added)]).toEqual([removed, added]);
    // The same answer as comparing every record of both states.
    const whole = difference(hostRecords(name, before), hostRecords(name, after));
    expect([show(change.removed), show(change.added)]).toEqual([show(whole.removed), show(whole.added)]);
  });
});

describe("zoneRecords and contentDifference", () => {
  it("gives apex NS first, then hosts in name order, only names with records", () => {
    const index = new ZoneIndex();
    index.load(SNAPSHOT);
    const names = zoneRecords(index, ZONE).map((r) => `${r.name} ${r.type}`);
    expect(names.slice(0, 3)).toEqual([`${ZONE} 2`, `${ZONE} 2`, "a.b.c.example.test 16"]);
    expect([...new Set(names.slice(2).map((n) => n.split(" ")[0]))]).toEqual([
      "a.b.c.example.test",
      "big.example.test",
      "medium.example.test",
      "ns1.example.test",
      "www.dyn.example.test",
    ]);
    expect(zoneRecords(index, "unknown.test")).toEqual([]);
  });

  it("the difference of two zone states is the whole-record difference of their AXFR content", () => {
    const index = new ZoneIndex();
    index.load(SNAPSHOT);
    const before = heldContent(index, ZONE)!;
    const recordsBefore = zoneRecords(index, ZONE);
    index.hostChanged("www.dyn.example.test", ZONE, [a(60, "192.0.2.9"), aaaa(60, "2001:db8::1")]);
    index.hostRemoved("big.example.test", ZONE);
    index.hostChanged("new.example.test", ZONE, [txt(5, "new")]);
    index.zoneChanged({ ...EXAMPLE_ZONE, nameservers: ["ns1.example.test", "ns3.example.org"] });
    const change = contentDifference(before, heldContent(index, ZONE)!);
    const whole = difference(recordsBefore, zoneRecords(index, ZONE));
    expect([show(change.removed), show(change.added)]).toEqual([show(whole.removed), show(whole.added)]);
    expect(change.removed.map((r) => r.name)).toContain("big.example.test");
    expect(change.added.map((r) => `${r.name} ${r.type}`)).toContain(`${ZONE} 2`);
  });
});
