// A damaged trust_rules row throws (the store reports store_unavailable) instead of authorising with
// half a rule: not JSON, a claims list missing or holding a non-string, an unknown record type.

import { describe, expect, it } from "vitest";

import { trustFromRow, trustValues } from "./trust-rows.js";
import type { TrustRule } from "../types.js";

const rule: TrustRule = {
  id: "r",
  issuer: "https://issuer.example",
  audience: "beacon",
  algorithms: ["ES256"],
  claims: [{ claim: "ref", value: "refs/heads/main" }],
  names: [{ name: "ci.example.com", subtree: true }],
  types: ["A"],
  createdAt: 1,
};

const row = (ruleJson: string) => ({
  id: "r",
  issuer: "https://issuer.example",
  audience: "beacon",
  rule_json: ruleJson,
  created_at: 1,
});

describe("trust rows", () => {
  it("round-trips a rule", () => {
    const [, , , json] = trustValues(rule) as [string, string, string, string];
    expect(trustFromRow(row(json))).toEqual(rule);
  });

  it.each([
    ["not JSON", "{"],
    ["no claims", '{"algorithms":["ES256"],"names":[],"types":["A"]}'],
    [
      "a numeric claim value",
      '{"algorithms":["ES256"],"claims":[{"claim":"x","value":1}],"names":[],"types":["A"]}',
    ],
    ["no algorithms", '{"claims":[],"names":[],"types":["A"]}'],
    ["an unknown type", '{"algorithms":["ES256"],"claims":[],"names":[],"types":["MX"]}'],
    ["a malformed scope", '{"algorithms":["ES256"],"claims":[],"names":[{"name":1}],"types":["A"]}'],
    ["null", "null"],
  ])("throws for %s", (_what, json) => {
    expect(() => trustFromRow(row(json))).toThrow();
  });
});
