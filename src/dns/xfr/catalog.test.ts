import { describe, expect, it } from "vitest";
import { readQuestionName } from "../wire/name.js";
import { TYPE } from "../wire/constants.js";
import { catalogProblem, catalogRecords, memberId, type CatalogMember } from "./catalog.js";
import type { XfrRecord } from "./records.js";

const CAT = "catalog.beacon.invalid";

/** A record as text: owner, type name, TTL, rdata read back. */
function show(r: XfrRecord): string {
  const type = Object.entries(TYPE).find(([, code]) => code === r.type)?.[0] ?? String(r.type);
  const rdata =
    r.type === TYPE.TXT ? JSON.stringify(new TextDecoder().decode(r.rdata.subarray(1))) : nameOf(r.rdata);
  return `${r.name} ${type} ${r.ttl} ${rdata}`;
}

function nameOf(wire: Uint8Array): string {
  const d = readQuestionName(wire, 0);
  if (!d.ok) throw new Error("undecodable name");
  return d.value.name === "" ? "." : `${d.value.name}.`;
}

const member = (name: string, createdAt = 1_700_000_000_000): CatalogMember => ({ name, createdAt });

describe("catalogRecords", () => {
  it("an empty list: the apex NS invalid. and the version 2 only", () => {
    expect(catalogRecords(CAT, []).map(show)).toEqual([`${CAT} NS 0 invalid.`, `version.${CAT} TXT 0 "2"`]);
  });

  it("one PTR per zone under zones.<catalog>, in owner-name order, whatever the input order", () => {
    const zones = ["b.example", "a.example", "c.example.org"].map((n) => member(n));
    const records = catalogRecords(CAT, zones);
    expect(records.map(show)).toEqual(catalogRecords(CAT, [...zones].reverse()).map(show));
    const ptrs = records.filter((r) => r.type === TYPE.PTR);
    expect(ptrs.map((r) => nameOf(r.rdata)).sort()).toEqual(["a.example.", "b.example.", "c.example.org."]);
    for (const r of ptrs) expect(r.name).toMatch(new RegExp(`^[0-9a-f]{16}\\.zones\\.${CAT}$`));
    const names = records.slice(1).map((r) => r.name);
    expect(names).toEqual([...names].sort());
    expect(records[0]?.type).toBe(TYPE.NS);
  });

  it("many zones: every id distinct, one PTR each", () => {
    const zones = Array.from({ length: 2000 }, (_, i) =>
      member(`z${i}.example`, 1_700_000_000_000 + (i % 7)),
    );
    const ptrs = catalogRecords(CAT, zones).filter((r) => r.type === TYPE.PTR);
    expect(ptrs).toHaveLength(2000);
    expect(new Set(ptrs.map((r) => r.name)).size).toBe(2000);
  });

  it("a zone with the catalog's own name is no member", () => {
    expect(
      catalogRecords(CAT, [member(CAT), member("a.example")]).filter((r) => r.type === TYPE.PTR),
    ).toHaveLength(1);
  });

  it("long names, underscores and a single label are carried exactly in the PTR", () => {
    const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`; // 253 characters
    const zones = [member(long), member("_acme-challenge.example"), member("localhost")];
    const ptrs = catalogRecords(CAT, zones).filter((r) => r.type === TYPE.PTR);
    expect(ptrs.map((r) => nameOf(r.rdata)).sort()).toEqual(
      [`${long}.`, "_acme-challenge.example.", "localhost."].sort(),
    );
  });
});

describe("memberId", () => {
  it("is the same for the same zone on every call (and so every node)", () => {
    expect(memberId(member("a.example"))).toBe(memberId(member("a.example")));
    expect(memberId(member("a.example"))).toMatch(/^[0-9a-f]{16}$/);
  });

  it("differs for a zone created again under the same name, and between names", () => {
    const first = memberId(member("a.example", 1));
    expect(memberId(member("a.example", 2))).not.toBe(first);
    expect(memberId(member("b.example", 1))).not.toBe(first);
    expect(memberId(member("a.example", 1), 1)).not.toBe(first);
  });
});

describe("catalogProblem", () => {
  it("accepts an ordinary name, refuses the root and a name too long for its members", () => {
    expect(catalogProblem(CAT)).toBeUndefined();
    expect(catalogProblem("")).toMatch(/root/);
    const tooLong = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(40)}`;
    expect(catalogProblem(tooLong)).toMatch(/at most 230/);
    expect(catalogProblem(tooLong.slice(0, 230))).toBeUndefined();
  });
});
