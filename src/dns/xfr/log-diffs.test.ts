// The diffs rebuilt from the change log: one per serial step, SOA around each, RRs as the zone index
// encodes them; anything the log does not explain → undefined (the full zone), never a wrong diff.

import { describe, expect, it } from "vitest";

import { silentLog } from "../../core/log.js";
import type { RRSet } from "../../core/records.js";
import type { Zone } from "../../core/zones.js";
import type { ZoneLogEntry } from "../../store/change-log.js";
import { createLogDiffs, diffsFromLog } from "./log-diffs.js";
import type { ZoneDiff } from "./history.js";
import type { XfrRecord } from "./records.js";

const zone = (serial: number, extra: Partial<Zone> = {}): Zone => ({
  name: "example.com",
  serial,
  ttl: 300,
  soa: {
    mname: "ns1.example.com",
    rname: "hostmaster.example.com",
    refresh: 3600,
    retry: 600,
    expire: 604800,
    minimum: 60,
  },
  nameservers: ["ns1.example.com"],
  createdAt: 0,
  ...extra,
});
const a = (values: string[], ttl = 60): RRSet => ({ type: "A", ttl, values });

let seq = 0;
const z = (before: Zone | null, after: Zone | null): ZoneLogEntry => ({
  seq: ++seq,
  kind: "zone",
  before,
  after,
});
const set = (fqdn: string, before: RRSet | null, after: RRSet | null): ZoneLogEntry => ({
  seq: ++seq,
  kind: "rrset",
  fqdn,
  before,
  after,
});
const step = (from: number, to: number, extra: Partial<Zone> = {}) => z(zone(from), zone(to, extra));

/** A record as "name type ttl rdata" (A as dotted quad, NS as the length-prefixed labels). */
function show(r: XfrRecord): string {
  const data =
    r.type === 1
      ? r.rdata.join(".")
      : Buffer.from(r.rdata)
          .toString("latin1")
          .replace(/[^a-z0-9]/g, ".");
  return `${r.name} ${r.type} ${r.ttl} ${data}`;
}
const serialOf = (soa: Uint8Array) => new DataView(soa.buffer, soa.byteOffset).getUint32(soa.length - 20);
const shown = (diffs: readonly ZoneDiff[] | undefined) =>
  diffs?.map((d) => ({
    from: d.from,
    to: d.to,
    soa: [serialOf(d.oldSoa), serialOf(d.newSoa)],
    removed: d.removed.map(show),
    added: d.added.map(show),
  }));

const cases: { name: string; entries: ZoneLogEntry[]; from: number; to: number; want: unknown }[] = [
  {
    name: "adds a set",
    entries: [z(null, zone(1)), set("a.example.com", null, a(["192.0.2.1", "192.0.2.2"])), step(1, 2)],
    from: 1,
    to: 2,
    want: [
      {
        from: 1,
        to: 2,
        soa: [1, 2],
        removed: [],
        added: ["a.example.com 1 60 192.0.2.1", "a.example.com 1 60 192.0.2.2"],
      },
    ],
  },
  {
    name: "changes one value of a set: only that RR",
    entries: [
      step(1, 2),
      set("a.example.com", a(["192.0.2.1", "192.0.2.2"]), a(["192.0.2.1", "192.0.2.3"])),
      step(2, 3),
    ],
    from: 2,
    to: 3,
    want: [
      {
        from: 2,
        to: 3,
        soa: [2, 3],
        removed: ["a.example.com 1 60 192.0.2.2"],
        added: ["a.example.com 1 60 192.0.2.3"],
      },
    ],
  },
  {
    name: "a TTL change removes and adds the set whole",
    entries: [step(1, 2), set("a.example.com", a(["192.0.2.1"]), a(["192.0.2.1"], 120)), step(2, 3)],
    from: 2,
    to: 3,
    want: [
      {
        from: 2,
        to: 3,
        soa: [2, 3],
        removed: ["a.example.com 1 60 192.0.2.1"],
        added: ["a.example.com 1 120 192.0.2.1"],
      },
    ],
  },
  {
    name: "a host deleted: its sets' deletes",
    entries: [step(1, 2), set("a.example.com", a(["192.0.2.1"]), null), step(2, 3)],
    from: 2,
    to: 3,
    want: [{ from: 2, to: 3, soa: [2, 3], removed: ["a.example.com 1 60 192.0.2.1"], added: [] }],
  },
  {
    name: "a zone's TTL and nameservers change: the NS RRs, and the new SOA",
    entries: [step(1, 2), z(zone(2), zone(3, { ttl: 600, nameservers: ["ns2.example.com"] }))],
    from: 2,
    to: 3,
    want: [
      {
        from: 2,
        to: 3,
        soa: [2, 3],
        removed: ["example.com 2 300 .ns1.example.com."],
        added: ["example.com 2 600 .ns2.example.com."],
      },
    ],
  },
  {
    name: "several serial steps, one diff each; a change undone within a step cancels",
    entries: [
      step(7, 8),
      set("a.example.com", null, a(["192.0.2.1"])),
      step(8, 9),
      set("b.example.com", null, a(["192.0.2.5"])),
      set("b.example.com", a(["192.0.2.5"]), null),
      step(9, 10),
      set("a.example.com", a(["192.0.2.1"]), a(["192.0.2.2"])),
      step(10, 11),
    ],
    from: 8,
    to: 11,
    want: [
      { from: 8, to: 9, soa: [8, 9], removed: [], added: ["a.example.com 1 60 192.0.2.1"] },
      { from: 9, to: 10, soa: [9, 10], removed: [], added: [] },
      {
        from: 10,
        to: 11,
        soa: [10, 11],
        removed: ["a.example.com 1 60 192.0.2.1"],
        added: ["a.example.com 1 60 192.0.2.2"],
      },
    ],
  },
  {
    name: "across the serial wrap-around (RFC 1982)",
    entries: [
      step(4294967294, 4294967295),
      set("a.example.com", null, a(["192.0.2.1"])),
      step(4294967295, 1),
    ],
    from: 4294967295,
    to: 1,
    want: [
      { from: 4294967295, to: 1, soa: [4294967295, 1], removed: [], added: ["a.example.com 1 60 192.0.2.1"] },
    ],
  },
  {
    name: "stops at the served serial; later entries are not applied yet",
    entries: [
      step(1, 2),
      set("a.example.com", null, a(["192.0.2.1"])),
      step(2, 3),
      set("a.example.com", a(["192.0.2.1"]), null),
      step(3, 4),
    ],
    from: 2,
    to: 3,
    want: [{ from: 2, to: 3, soa: [2, 3], removed: [], added: ["a.example.com 1 60 192.0.2.1"] }],
  },
  { name: "the client is current", entries: [step(1, 2)], from: 2, to: 2, want: [] },
  { name: "the client is ahead", entries: [step(1, 2)], from: 5, to: 2, want: [] },
  // Unexplained → undefined: the full zone.
  { name: "no entries", entries: [], from: 1, to: 2, want: undefined },
  {
    name: "the first entry is not the zone at `from`",
    entries: [step(1, 3), step(3, 4)],
    from: 2,
    to: 4,
    want: undefined,
  },
  {
    name: "the first entry is a set",
    entries: [set("a.example.com", null, a(["192.0.2.1"])), step(1, 2)],
    from: 1,
    to: 2,
    want: undefined,
  },
  { name: "a gap between steps", entries: [step(1, 2), step(3, 4)], from: 2, to: 4, want: undefined },
  {
    name: "the serial goes back",
    entries: [step(5, 6), step(6, 3), step(3, 7)],
    from: 6,
    to: 7,
    want: undefined,
  },
  {
    name: "content changed while the serial stayed put",
    entries: [
      step(1, 2),
      set("a.example.com", null, a(["192.0.2.1"])),
      z(zone(2), zone(2, { nameservers: ["ns9.example.com"] })),
      step(2, 3),
    ],
    from: 2,
    to: 3,
    want: undefined,
  },
  {
    name: "the SOA changed while the serial stayed put",
    entries: [step(1, 2), z(zone(2), zone(2, { soa: { ...zone(2).soa, refresh: 1 } })), step(2, 3)],
    from: 2,
    to: 3,
    want: undefined,
  },
  {
    name: "the zone was deleted in between",
    entries: [step(1, 2), z(zone(2), null), z(null, zone(3))],
    from: 2,
    to: 3,
    want: undefined,
  },
  {
    name: "the served serial is never reached",
    entries: [step(1, 2), step(2, 3)],
    from: 2,
    to: 9,
    want: undefined,
  },
  {
    name: "content changed without a serial step after the served serial",
    entries: [
      step(1, 2),
      set("a.example.com", null, a(["192.0.2.1"])),
      step(2, 3),
      set("b.example.com", null, a(["192.0.2.2"])),
    ],
    from: 2,
    to: 3,
    want: undefined,
  },
  {
    name: "content changed after the last serial step only",
    entries: [step(1, 2), set("a.example.com", null, a(["192.0.2.1"]))],
    from: 2,
    to: 3,
    want: undefined,
  },
];

describe("diffsFromLog", () => {
  it.each(cases)("$name", ({ entries, from, to, want }) => {
    expect(shown(diffsFromLog(entries, from, to))).toEqual(want);
  });
});

describe("createLogDiffs", () => {
  it("reads the zone's log from the client's serial and answers undefined when the store cannot or fails", async () => {
    const calls: unknown[] = [];
    const diffs = createLogDiffs(
      {
        zoneLog: (name, serial, limit) => {
          calls.push([name, serial, limit]);
          if (serial === 1) return Promise.resolve([step(0, 1), step(1, 2)]);
          if (serial === 5) return Promise.reject(new Error("store down"));
          return Promise.resolve(undefined);
        },
      },
      silentLog,
      50,
    );
    expect(shown(await diffs("example.com", 1, 2))).toEqual([
      { from: 1, to: 2, soa: [1, 2], removed: [], added: [] },
    ]);
    expect(await diffs("example.com", 3, 4)).toBeUndefined();
    expect(await diffs("example.com", 5, 6)).toBeUndefined();
    expect(calls).toEqual([
      ["example.com", 1, 50],
      ["example.com", 3, 50],
      ["example.com", 5, 50],
    ]);
  });
});
