// Trust rules: what an operator may configure (bad inputs named per case), globs, claim matching.

import { describe, expect, it } from "vitest";
import { BeaconError } from "../../core/errors.js";

import {
  checkTrustRule,
  globMatches,
  isTrustedIssuerUrl,
  parseCondition,
  unmetConditions,
} from "./trust-rules.js";

const base = {
  id: "deploy",
  issuer: "https://token.actions.githubusercontent.com",
  audience: "https://beacon.example",
  claims: [{ claim: "repository", value: "acme/site" }],
  names: [{ name: "CI.Example.com.", subtree: false }],
  types: ["A" as const],
};

function expectInvalid(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e instanceof BeaconError && e.code).toBe("invalid_trust");
    return;
  }
  expect.unreachable("no invalid_trust thrown");
}

describe("trust rules", () => {
  it("builds a rule with the default algorithms and canonical names", () => {
    expect(checkTrustRule(base, 5)).toEqual({
      ...base,
      algorithms: ["RS256", "ES256", "EdDSA"],
      names: [{ name: "ci.example.com", subtree: false }],
      createdAt: 5,
    });
  });

  it.each([
    ["an http issuer off loopback", { issuer: "http://issuer.example" }],
    ["an issuer with a query", { issuer: "https://issuer.example/?x=1" }],
    ["an issuer with credentials", { issuer: "https://u:p@issuer.example" }],
    ["a non-URL issuer", { issuer: "issuer.example" }],
    ["alg none", { algorithms: ["none"] }],
    ["HS256 (key confusion)", { algorithms: ["RS256", "HS256"] }],
    ["no algorithms", { algorithms: [] }],
    ["an empty audience", { audience: "  " }],
    ["an uppercase id", { id: "Deploy" }],
    ["an id with a slash", { id: "a/b" }],
    ["a claim value of only *", { claims: [{ claim: "repository", value: "**" }] }],
    ["an empty claim value", { claims: [{ claim: "ref", value: "" }] }],
    ["a claim name with spaces", { claims: [{ claim: "a b", value: "x" }] }],
    ["no names", { names: [] }],
    ["no types", { types: [] }],
  ])("refuses %s with invalid_trust", (_what, over) => {
    expectInvalid(() => checkTrustRule({ ...base, ...over }, 0));
  });

  it("trusts https anywhere and http only on loopback", () => {
    expect(isTrustedIssuerUrl("http://127.0.0.1:8080")).toBe(true);
    expect(isTrustedIssuerUrl("http://[::1]:8080/issuer")).toBe(true);
    expect(isTrustedIssuerUrl("http://localhost")).toBe(true);
    expect(isTrustedIssuerUrl("http://127.0.0.1.evil.example")).toBe(false);
    expect(isTrustedIssuerUrl("ftp://issuer.example")).toBe(false);
  });

  it("parses claim=value at the first =", () => {
    expect(parseCondition("ref=refs/heads/main")).toEqual({ claim: "ref", value: "refs/heads/main" });
    expect(parseCondition("x=a=b")).toEqual({ claim: "x", value: "a=b" });
    expectInvalid(() => parseCondition("=x"));
    expectInvalid(() => parseCondition("novalue"));
  });

  it.each([
    ["refs/heads/*", "refs/heads/main", true],
    ["refs/heads/*", "refs/tags/v1", false],
    ["acme/*", "acme/site", true],
    ["*/site", "acme/site", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["ab*ba", "aba", false],
    ["exact", "exact", true],
    ["exact", "exactly", false],
    ["system:serviceaccount:ns:*", "system:serviceaccount:ns:updater", true],
  ])("glob %s against %s is %s", (pattern, value, want) => {
    expect(globMatches(pattern, value)).toBe(want);
  });

  it("reads booleans and numbers as text; objects, arrays and absent claims never match", () => {
    const rule = { claims: [{ claim: "ref_protected", value: "true" }] };
    expect(unmetConditions(rule, { ref_protected: true })).toEqual([]);
    expect(unmetConditions(rule, { ref_protected: "false" })).toHaveLength(1);
    expect(unmetConditions(rule, { ref_protected: ["true"] })[0]).toContain("not a string");
    expect(unmetConditions(rule, {})[0]).toContain("absent");
    expect(
      unmetConditions(rule, JSON.parse('{"__proto__": {"ref_protected": true}}') as Record<string, unknown>),
    ).toHaveLength(1);
  });
});
