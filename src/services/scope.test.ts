import { describe, expect, it } from "vitest";
import type { RecordType } from "../core/records.js";
import { tokenAllows, tokenCoversName } from "./scope.js";

const token = {
  names: [
    { name: "home.example.com", subtree: false },
    { name: "lab.example.org", subtree: true },
  ],
  types: ["A", "TXT"] as RecordType[],
};

describe("tokenCoversName", () => {
  it.each([
    ["home.example.com", true],
    ["a.home.example.com", false], // exact scope does not cover children
    ["example.com", false],
    ["xhome.example.com", false],
    ["lab.example.org", true],
    ["a.b.lab.example.org", true],
    ["xlab.example.org", false], // suffix match must stop at a label boundary
    ["example.org", false],
  ])("%s → %s", (name, expected) => {
    expect(tokenCoversName(token, name)).toBe(expected);
  });
});

describe("tokenAllows", () => {
  it.each([
    ["home.example.com", "A", true],
    ["home.example.com", "TXT", true],
    ["home.example.com", "AAAA", false],
    ["x.lab.example.org", "A", true],
    ["other.example.com", "A", false],
  ] as const)("%s %s → %s", (name, type, expected) => {
    expect(tokenAllows(token, name, type)).toBe(expected);
  });
});
