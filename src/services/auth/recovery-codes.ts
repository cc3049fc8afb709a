// Recovery codes of the TOTP factor: ten per enrolment, each usable once, shown once. A code is 16
// base32 characters (80 random bits), grouped by four for reading ("abcd-efgh-ijkl-mnop"); typed back
// in any case, with or without the hyphens or spaces.
//
// Only a SHA-256 of each code is stored, not a slow password hash: 80 random bits cannot be guessed
// offline from a leaked hash (2^80 tries), so scrypt's cost would protect nothing and would only make
// every wrong sign-in code slower. Passwords need scrypt because people choose them; these are random.

import { createHash, randomBytes } from "node:crypto";
import { compactCode } from "./totp-code.js";

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const LENGTH = 16;

/** `count` fresh codes, grouped for reading. */
export function newRecoveryCodes(
  random: (n: number) => Uint8Array = (n) => randomBytes(n),
  count = RECOVERY_CODE_COUNT,
): string[] {
  return Array.from({ length: count }, () => {
    // 10 bytes = 80 bits = 16 base32 characters of 5 bits each.
    let bits = 0n;
    for (const b of random(10)) bits = (bits << 8n) | BigInt(b);
    let text = "";
    for (let i = LENGTH - 1; i >= 0; i--) text += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
    return text.match(/.{4}/g)!.join("-");
  });
}

/** The stored hash of a typed recovery code, or undefined when the input cannot be one. */
export function recoveryCodeHash(input: string): string | undefined {
  const code = compactCode(input)?.toLowerCase();
  if (code === undefined || code.length !== LENGTH || ![...code].every((ch) => ALPHABET.includes(ch)))
    return undefined;
  return createHash("sha256").update(code, "utf8").digest("hex");
}
