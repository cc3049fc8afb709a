import { describe, expect, it } from "vitest";
import { newRecoveryCodes, recoveryCodeHash } from "./recovery-codes.js";

describe("recovery codes", () => {
  it("makes ten distinct codes of 16 base32 characters grouped by four", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  });

  it("uses every bit of the random bytes (all zero and all one bytes give the alphabet's ends)", () => {
    expect(newRecoveryCodes(() => new Uint8Array(10), 1)).toEqual(["aaaa-aaaa-aaaa-aaaa"]);
    expect(newRecoveryCodes(() => new Uint8Array(10).fill(255), 1)).toEqual(["7777-7777-7777-7777"]);
  });

  it("hashes a code the same however it is typed", () => {
    const [code] = newRecoveryCodes(undefined, 1);
    const hash = recoveryCodeHash(code!);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    for (const typed of [code!.toUpperCase(), code!.replace(/-/g, ""), code!.replace(/-/g, " "), ` ${code} `])
      expect(recoveryCodeHash(typed), typed).toBe(hash);
  });

  it("refuses input that cannot be a code", () => {
    for (const bad of [
      "",
      "aaaa-aaaa-aaaa-aaa",
      "aaaa-aaaa-aaaa-aaaaa",
      "aaaa-aaaa-aaaa-aaa1",
      "aaaa-aaaa-aaaa-aaa8",
      "aaaa--aaaa-aaaa-aaaa",
      "123456",
      "a".repeat(10_000),
    ])
      expect(recoveryCodeHash(bad), bad.slice(0, 20)).toBeUndefined();
  });
});
