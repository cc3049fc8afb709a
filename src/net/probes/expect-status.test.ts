import { describe, expect, it } from "vitest";
import { expectStatus } from "./expect-status.js";

describe("expectStatus", () => {
  it("defaults to 2xx, so redirects fail", () => {
    expect([200, 204, 299].map((s) => expectStatus(undefined, s))).toEqual([true, true, true]);
    expect([199, 301, 302, 404, 503].map((s) => expectStatus(undefined, s))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("takes codes, ranges, classes and comma lists", () => {
    expect(expectStatus("200", 200)).toBe(true);
    expect(expectStatus("200", 201)).toBe(false);
    expect(expectStatus("200-204", 204)).toBe(true);
    expect(expectStatus("200-204", 205)).toBe(false);
    expect(expectStatus(" 200 , 3XX ", 302)).toBe(true);
    expect(expectStatus("2xx,401", 401)).toBe(true);
  });

  it("accepts nothing for parts that do not parse", () => {
    for (const bad of ["", "abc", "6xx", "20", "2000", "200-", "-200", "2xx;3xx", "1e2"])
      expect(expectStatus(bad, 200)).toBe(false);
  });
});
