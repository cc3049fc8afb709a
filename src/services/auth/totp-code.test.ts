import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { checkTotp, compactCode, newTotpSecret, totpCode, totpStep, totpUri } from "./totp-code.js";

// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890") and its vector at T = 59 s: 94287082
// (8 digits), whose last six digits are the 6-digit code.
const RFC_SECRET = new Secret({ buffer: new TextEncoder().encode("12345678901234567890").buffer }).base32;
const NOW = 1_700_000_000_000;

describe("TOTP codes", () => {
  it("makes the RFC 6238 SHA-1 code", () => {
    expect(totpCode(RFC_SECRET, 59_000)).toBe("287082");
    expect(checkTotp(RFC_SECRET, "287082", 59_000)).toBe(1);
  });

  it("makes 160-bit base32 secrets, different each time, that apps import from the URI", () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(a);
    const uri = totpUri(a, "alice", "Beacon");
    expect(uri).toMatch(/^otpauth:\/\/totp\/Beacon:alice\?/);
    const parsed = new URL(uri);
    expect(parsed.searchParams.get("secret")).toBe(a);
    expect(parsed.searchParams.get("issuer")).toBe("Beacon");
    expect(parsed.searchParams.get("digits")).toBe("6");
    expect(parsed.searchParams.get("period")).toBe("30");
    expect(parsed.searchParams.get("algorithm")).toBe("SHA1");
  });

  it("accepts the current step and one either side, answering the step it matched", () => {
    const secret = newTotpSecret();
    const step = totpStep(NOW);
    expect(checkTotp(secret, totpCode(secret, NOW), NOW)).toBe(step);
    expect(checkTotp(secret, totpCode(secret, NOW - 30_000), NOW)).toBe(step - 1);
    expect(checkTotp(secret, totpCode(secret, NOW + 30_000), NOW)).toBe(step + 1);
    expect(checkTotp(secret, totpCode(secret, NOW - 60_000), NOW)).toBeUndefined();
    expect(checkTotp(secret, totpCode(secret, NOW + 60_000), NOW)).toBeUndefined();
    // The same code under another secret is wrong.
    expect(checkTotp(newTotpSecret(), totpCode(secret, NOW), NOW)).toBeUndefined();
  });

  it("accepts a code typed with spaces around it or one space or hyphen inside", () => {
    const secret = newTotpSecret();
    const code = totpCode(secret, NOW);
    for (const typed of [
      ` ${code} `,
      `${code.slice(0, 3)} ${code.slice(3)}`,
      `${code.slice(0, 3)}-${code.slice(3)}`,
    ])
      expect(checkTotp(secret, typed, NOW), typed).toBe(totpStep(NOW));
  });

  it("refuses what is not six ASCII digits", () => {
    const secret = newTotpSecret();
    const code = totpCode(secret, NOW);
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join("");
    for (const bad of [
      code.slice(0, 5), // 5 digits
      `${code}0`, // 7 digits
      `0${code}`,
      `${code.slice(0, 3)}  ${code.slice(3)}`, // two spaces
      `${code.slice(0, 3)}\t${code.slice(3)}`, // a tab
      `${code.slice(0, 3)}\n${code.slice(3)}`,
      `${code.slice(0, 5)}a`, // a letter
      "abcdef",
      fullWidth, // digits of another script
      "",
      " ",
      "-123456",
      code.repeat(1000), // very long
      `${code}${" ".repeat(100)}`,
    ])
      expect(checkTotp(secret, bad, NOW), JSON.stringify(bad.slice(0, 20))).toBeUndefined();
  });

  it("compacts only short input with single separators", () => {
    expect(compactCode(" ab-cd ef ")).toBe("abcdef");
    expect(compactCode("ab--cd")).toBeUndefined();
    expect(compactCode("a".repeat(65))).toBeUndefined();
    expect(compactCode("ab_cd")).toBeUndefined();
  });

  it("agrees with otpauth's own generator", () => {
    const secret = newTotpSecret();
    expect(totpCode(secret, NOW)).toBe(TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: NOW }));
  });
});
