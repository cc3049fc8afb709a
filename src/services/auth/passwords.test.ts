import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.js";

describe("hashPassword / verifyPassword", () => {
  it("verifies the right password and refuses others", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash", async () => {
    const a = await hashPassword("same password here");
    const b = await hashPassword("same password here");
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password here", b)).toBe(true);
  });

  it("treats composed and decomposed unicode alike", async () => {
    const stored = await hashPassword("caf\u00e9-password");
    expect(await verifyPassword("cafe\u0301-password", stored)).toBe(true);
  });

  it("accepts a valid hash with other bounded parameters", async () => {
    const stored = await hashPassword("another password");
    const [, , , , salt, key] = stored.split("$");
    // Same salt and key but claimed N=2^14: derives a different key, so false — yet no throw.
    expect(await verifyPassword("another password", `scrypt$16384$8$1$${salt}$${key}`)).toBe(false);
  });

  const salt = Buffer.alloc(16, 1).toString("base64");
  const key = Buffer.alloc(32, 2).toString("base64");
  it.each([
    ["empty", ""],
    ["other scheme", `bcrypt$32768$8$1$${salt}$${key}`],
    ["too few parts", `scrypt$32768$8$1$${salt}`],
    ["too many parts", `scrypt$32768$8$1$${salt}$${key}$x`],
    ["N not a power of two", `scrypt$30000$8$1$${salt}$${key}`],
    ["huge N (memory bomb)", `scrypt$1073741824$8$1$${salt}$${key}`],
    ["huge r", `scrypt$32768$1000000$1$${salt}$${key}`],
    ["huge p", `scrypt$32768$8$100000$${salt}$${key}`],
    ["zero N", `scrypt$0$8$1$${salt}$${key}`],
    ["negative r", `scrypt$32768$-8$1$${salt}$${key}`],
    ["float N", `scrypt$32768.0$8$1$${salt}$${key}`],
    ["hex N", `scrypt$0x8000$8$1$${salt}$${key}`],
    ["bad base64 salt", `scrypt$32768$8$1$!!!!$${key}`],
    ["empty salt", `scrypt$32768$8$1$$${key}`],
    ["short key", `scrypt$32768$8$1$${salt}$AAAA`],
    ["very long string", `scrypt$32768$8$1$${salt}$${"A".repeat(100_000)}`],
  ])("returns false, never throws, for a malformed stored hash: %s", async (_name, stored) => {
    await expect(verifyPassword("whatever password", stored)).resolves.toBe(false);
  });
});

describe("passwordProblem", () => {
  it.each([
    ["9 characters", "123456789"],
    ["empty", ""],
    ["1025 characters", "x".repeat(1025)],
  ])("refuses %s", (_name, pw) => {
    expect(passwordProblem(pw)).toMatch(/password/);
  });

  it.each([
    ["10 characters", "1234567890"],
    ["1024 characters", "x".repeat(1024)],
    ["10 emoji (20 UTF-16 units)", "🙂".repeat(10)],
  ])("accepts %s", (_name, pw) => {
    expect(passwordProblem(pw)).toBeUndefined();
  });

  it("counts characters, not UTF-16 units", () => {
    expect(passwordProblem("🙂".repeat(9))).toBeDefined();
  });
});
