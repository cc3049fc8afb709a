import { describe, expect, it } from "vitest";

import type { Host } from "../types.js";
import { hostFixture, T0, zoneFixture } from "../testing/fixtures.js";
import { ZoneTables } from "./zone-tables.js";

/** Tables over a log and a cascade that only record what they were told. */
function recorded() {
  const rows: [string, string | null, string][] = [];
  const deleted: [string, number][] = [];
  const tables = new ZoneTables(
    { record: (zone, fqdn, op) => void rows.push([zone, fqdn, op]) },
    (host: Host, at: number) => void deleted.push([host.fqdn, at]),
  );
  return { tables, rows, deleted };
}

describe("ZoneTables", () => {
  it("logs every change as the SQLite triggers do, and cascades a deleted host once", () => {
    const { tables, rows, deleted } = recorded();
    tables.putZone(zoneFixture("example.com"), "insert");
    const a = tables.insertHost(hostFixture("a.example.com", "example.com"));
    expect(tables.advanceSerial("example.com")).toBe(1001);
    tables.writeSet(
      "example.com",
      { fqdn: a.fqdn, type: "A", rrset: { ttl: 60, values: ["192.0.2.1"] } },
      T0,
    );
    tables.writeSet("example.com", { fqdn: a.fqdn, type: "TXT", rrset: null }, T0);
    tables.deleteHost(a, T0 + 5);
    tables.deleteZone("example.com");
    expect(rows).toEqual([
      ["example.com", null, "insert"],
      ["example.com", "a.example.com", "insert"],
      ["example.com", null, "update"],
      ["example.com", "a.example.com", "update"],
      ["example.com", "a.example.com", "delete"], // the TXT set
      ["example.com", "a.example.com", "delete"], // the A set, before its host
      ["example.com", "a.example.com", "delete"],
      ["example.com", null, "delete"],
    ]);
    expect(deleted).toEqual([["a.example.com", T0 + 5]]);
    expect(tables.zones.size).toBe(0);
    expect(tables.hosts.size).toBe(0);
    expect(tables.setsOf("a.example.com")).toEqual([]);
  });

  it("gives host ids never given before, and deleting a host takes its sets", () => {
    const { tables } = recorded();
    tables.putZone(zoneFixture("example.com"), "insert");
    const a = tables.insertHost(hostFixture("a.example.com", "example.com"));
    tables.writeSet(
      "example.com",
      { fqdn: a.fqdn, type: "A", rrset: { ttl: 60, values: ["192.0.2.1"] } },
      T0,
    );
    tables.deleteHost(a, T0);
    const again = tables.insertHost(hostFixture("a.example.com", "example.com", { implicit: true }));
    expect(again.id).toBeGreaterThan(a.id);
    expect(again.implicit).toBe(true);
    expect(a.implicit).toBe(false);
    expect(tables.setsOf("a.example.com")).toEqual([]);
  });

  it("reads hosts by fqdn and sets by type, whatever the order of writing", () => {
    const { tables } = recorded();
    tables.putZone(zoneFixture("example.com"), "insert");
    tables.putZone(zoneFixture("example.net"), "insert");
    for (const f of ["z.example.com", "b.example.net", "a.example.com"])
      tables.insertHost(hostFixture(f, f.endsWith(".net") ? "example.net" : "example.com"));
    for (const type of ["TXT", "A", "AAAA"] as const)
      tables.writeSet("example.com", { fqdn: "a.example.com", type, rrset: { ttl: 1, values: ["x"] } }, T0);
    expect(tables.hostsIn().map((h) => h.fqdn)).toEqual(["a.example.com", "b.example.net", "z.example.com"]);
    expect(tables.hostsIn("example.com").map((h) => h.fqdn)).toEqual(["a.example.com", "z.example.com"]);
    expect(tables.setsOf("a.example.com").map((s) => s.type)).toEqual(["A", "AAAA", "TXT"]);
  });

  it("refuses to advance the serial of a zone that is not there", () => {
    const { tables, rows } = recorded();
    expect(() => tables.advanceSerial("missing.example")).toThrow(/missing\.example vanished/);
    expect(rows).toEqual([]);
  });
});
