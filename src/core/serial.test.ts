import { describe, expect, it } from "vitest";

import { BeaconError } from "./errors.js";
import { initialSerial, nextSerial } from "./serial.js";

describe("nextSerial", () => {
  it.each([
    [0, 1],
    [1, 2],
    [1_700_000_000, 1_700_000_001],
    [2 ** 31 - 1, 2 ** 31],
    [4_294_967_294, 4_294_967_295],
    [4_294_967_295, 1],
  ])("%d → %d", (serial, next) => {
    expect(nextSerial(serial)).toBe(next);
  });

  it.each([-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY])("rejects %d", (bad) => {
    expect(() => nextSerial(bad)).toThrow(BeaconError);
    expect(() => nextSerial(bad)).toThrow(/not a 32-bit SOA serial/);
  });
});

describe("initialSerial", () => {
  it("is Unix seconds, rounded down", () => {
    expect(initialSerial(1_700_000_000_999)).toBe(1_700_000_000);
    expect(initialSerial(Date.UTC(2024, 0, 1))).toBe(1_704_067_200);
  });

  it("is never 0 and always fits 32 bits", () => {
    expect(initialSerial(0)).toBe(1);
    expect(initialSerial(999)).toBe(1);
    expect(initialSerial(2 ** 32 * 1000)).toBe(1);
    expect(initialSerial((2 ** 32 + 5) * 1000)).toBe(5);
    expect(initialSerial(-1000)).toBe(4_294_967_295);
  });
});
