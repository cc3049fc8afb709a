import { describe, expect, it } from "vitest";
import type { RecordType } from "../core/records.js";
import { nameForLabel, tokenAllows, tokenCoversName } from "./scope.js";

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

describe("nameForLabel (dyndns2 label form)", () => {
  const exact = (...names: string[]) => ({ names: names.map((name) => ({ name, subtree: false })) });
  it.each([
    [
      "the exact name whose first label it is",
      exact("home.example.com", "office.example.com"),
      "home",
      "home.example.com",
    ],
    ["nothing when no scope fits", exact("home.example.com"), "lab", undefined],
    [
      "nothing when two exact names fit (ambiguous)",
      exact("home.a.example", "home.b.example"),
      "home",
      undefined,
    ],
    [
      "the label under a subtree",
      { names: [{ name: "dyn.example.com", subtree: true }] },
      "cam",
      "cam.dyn.example.com",
    ],
    [
      "nothing when a subtree and an exact name give different names",
      {
        names: [
          { name: "dyn.example.com", subtree: true },
          { name: "home.example.com", subtree: false },
        ],
      },
      "home",
      undefined,
    ],
  ])("%s", (_what, token, label, expected) => {
    expect(nameForLabel(token, label)).toBe(expected);
  });
});
