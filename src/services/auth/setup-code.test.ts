import { describe, expect, it } from "vitest";
import { generateSetupCode, setupCodeMatches } from "./setup-code.js";

describe("setup code", () => {
  it("is 24 base32 characters in groups of four, different every time", () => {
    const a = generateSetupCode();
    expect(a).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(generateSetupCode()).not.toBe(a);
  });

  it("encodes the injected bytes", () => {
    expect(generateSetupCode((n) => new Uint8Array(n))).toBe("0000-0000-0000-0000-0000-0000");
    expect(generateSetupCode((n) => new Uint8Array(n).fill(255))).toBe("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
  });

  it("matches forgivingly: case, spaces and dashes do not matter", () => {
    const code = "7K2M-9QXD-ABCD-EFGH-JKMN-PQRS";
    expect(setupCodeMatches(code, code)).toBe(true);
    expect(setupCodeMatches("7k2m 9qxd abcd efgh jkmn pqrs", code)).toBe(true);
    expect(setupCodeMatches("7K2M9QXDABCDEFGHJKMNPQRS", code)).toBe(true);
  });

  it.each([
    ["wrong", "7K2M-9QXD-ABCD-EFGH-JKMN-PQRT"],
    ["empty", ""],
    ["prefix", "7K2M-9QXD"],
    ["huge", "7".repeat(100_000)],
  ])("refuses a %s code", (_n, input) => {
    expect(setupCodeMatches(input, "7K2M-9QXD-ABCD-EFGH-JKMN-PQRS")).toBe(false);
  });

  it("never matches an empty expected code", () => {
    expect(setupCodeMatches("", "")).toBe(false);
  });
});
