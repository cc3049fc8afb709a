import { describe, expect, it } from "vitest";
import { isBeaconError } from "../core/errors.js";
import { isGlobalUnicast } from "../core/ip.js";
import type { RecordType, RRSet } from "../core/records.js";
import type { DesiredSets } from "../core/update.js";
import { resolveSets, unchangedBy } from "./desired-sets.js";

const V4 = "81.2.69.142";
const V4B = "81.2.69.160";
const V6 = "2a02:8070:a1b2::1";

const types = (sets: DesiredSets) => Object.keys(sets).sort() as RecordType[];

describe("resolveSets", () => {
  it.each<[string, DesiredSets, [RecordType, RRSet | null][]]>([
    ["a set with the default ttl", { A: { values: [V4] } }, [["A", { type: "A", ttl: 120, values: [V4] }]]],
    ["the ttl asked for", { A: { values: [V4], ttl: 5 } }, [["A", { type: "A", ttl: 5, values: [V4] }]]],
    ["null: delete", { AAAA: null }, [["AAAA", null]]],
    [
      "values sorted, deduplicated, v6 compressed",
      { A: { values: [V4B, V4, V4B] }, AAAA: { values: ["2A02:8070:A1B2:0:0:0:0:1"] } },
      [
        ["A", { type: "A", ttl: 120, values: [V4, V4B] }],
        ["AAAA", { type: "AAAA", ttl: 120, values: [V6] }],
      ],
    ],
    [
      "TXT values are not addresses",
      { TXT: { values: ["10.0.0.1"] } },
      [["TXT", { type: "TXT", ttl: 120, values: ["10.0.0.1"] }]],
    ],
  ])("%s", (_name, sets, expected) => {
    expect([...resolveSets(sets, types(sets), 120, isGlobalUnicast)]).toEqual(expected);
  });

  it("leaves out a type it is not asked about", () => {
    expect([...resolveSets({ A: { values: [V4] }, AAAA: null }, ["A"], 120, isGlobalUnicast).keys()]).toEqual(
      ["A"],
    );
  });

  it.each<[string, DesiredSets, number, string]>([
    ["a private v4", { A: { values: [V4, "192.168.1.1"] } }, 120, "ip_not_global"],
    ["a unique-local v6", { AAAA: { values: ["fd00::1"] } }, 120, "ip_not_global"],
    ["a v6 in an A set", { A: { values: [V6] } }, 120, "invalid_ip"],
    ["no value", { TXT: { values: [] } }, 120, "invalid_record"],
    [
      "17 values",
      { A: { values: Array.from({ length: 17 }, (_, i) => `81.2.69.${i + 1}`) } },
      120,
      "invalid_record",
    ],
    ["a ttl of 0 asked for", { A: { values: [V4], ttl: 0 } }, 120, "invalid_ttl"],
    ["a default ttl out of range", { A: { values: [V4] } }, 604_801, "invalid_ttl"],
    ["a good set beside a bad one", { A: { values: [V4] }, AAAA: { values: ["::1"] } }, 120, "ip_not_global"],
  ])("refuses %s with %s", (_name, sets, ttl, code) => {
    let thrown: unknown;
    try {
      resolveSets(sets, types(sets), ttl, isGlobalUnicast);
    } catch (e) {
      thrown = e;
    }
    expect(isBeaconError(thrown) && thrown.code).toBe(code);
  });

  it("asks the policy about each address", () => {
    const asked: string[] = [];
    const sets = resolveSets({ A: { values: ["10.0.0.2", "10.0.0.1"] } }, ["A"], 60, (ip) => {
      asked.push(ip.text);
      return true;
    });
    expect(asked).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(sets.get("A")?.values).toEqual(["10.0.0.1", "10.0.0.2"]);
  });
});

describe("unchangedBy", () => {
  const set = (values: string[], ttl = 60): RRSet => ({ type: "A", ttl, values });
  it.each<[string, RRSet | undefined, RRSet | null, boolean]>([
    ["deleting an absent set", undefined, null, true],
    ["deleting a present set", set([V4]), null, false],
    ["creating a set", undefined, set([V4]), false],
    ["the same values and ttl", set([V4, V4B]), set([V4, V4B]), true],
    ["other values", set([V4]), set([V4B]), false],
    ["one value more", set([V4]), set([V4, V4B]), false],
    ["another ttl", set([V4], 60), set([V4], 61), false],
  ])("%s → %s", (_name, old, want, expected) => {
    expect(unchangedBy(old, want)).toBe(expected);
  });
});
