import { describe, expect, it } from "vitest";
import { statusAccepted } from "./http-status.js";

describe("statusAccepted", () => {
  it("defaults to 2xx, so redirects fail", () => {
    expect([200, 204, 299].map((s) => statusAccepted(undefined, s))).toEqual([true, true, true]);
    expect([199, 301, 302, 404, 503].map((s) => statusAccepted(undefined, s))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("takes codes, ranges, classes and comma lists", () => {
    expect(statusAccepted("200", 200)).toBe(true);
    expect(statusAccepted("200", 201)).toBe(false);
    expect(statusAccepted("200-204", 204)).toBe(true);
    expect(statusAccepted("200-204", 205)).toBe(false);
    expect(statusAccepted(" 200 , 3xx ", 302)).toBe(true);
    expect(statusAccepted("3XX", 302)).toBe(false); // classes are written lowercase
    expect(statusAccepted("2xx,401", 401)).toBe(true);
  });

  it("accepts nothing for parts that do not parse", () => {
    for (const bad of ["", "abc", "6xx", "20", "2000", "200-", "-200", "2xx;3xx", "1e2"])
      expect(statusAccepted(bad, 200)).toBe(false);
  });
});
