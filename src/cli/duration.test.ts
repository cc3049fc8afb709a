// Admin commands read durations with the configuration's grammar, a unit required. Hostile inputs:
// a bare number, an unknown unit, a sign, a fraction, an empty string, ten digits.

import { describe, expect, it } from "vitest";

import { parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["12h", 43_200_000],
    ["30d", 2_592_000_000],
    ["500ms", 500],
    [" 2h ", 7_200_000],
  ])("reads %j", (input, ms) => {
    expect(parseDuration(input, "--older-than")).toBe(ms);
  });

  it.each(["90", "", "1w", "-5s", "1.5h", "1234567890s", "s", "5 m"])(
    "refuses %j, naming the option",
    (input) => {
      expect(() => parseDuration(input, "--older-than")).toThrow(
        expect.objectContaining({
          code: "bad_request",
          message: expect.stringContaining("--older-than") as unknown,
        }) as Error,
      );
    },
  );
});
