// The one-time first-run setup code: printed in the server's log while no user exists, typed into the
// page to create the first admin. 120 random bits in Crockford-style base32 (no I, L, O, U), grouped
// for reading: "7K2M-9QXD-…". Typing is forgiving: case, spaces and dashes do not matter.

import { randomBytes as nodeRandomBytes, timingSafeEqual, createHash } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function generateSetupCode(randomBytes: (n: number) => Uint8Array = nodeRandomBytes): string {
  const bytes = randomBytes(15);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(/.{1,4}/g)?.join("-") ?? out;
}

function normalize(code: string): string {
  return code.replace(/[\s-]/g, "").toUpperCase();
}

/** Constant-time comparison of a typed code with the expected one (both normalised first). */
export function setupCodeMatches(input: string, expected: string): boolean {
  if (input.length > 256 || expected === "") return false;
  const h = (s: string) => createHash("sha256").update(normalize(s), "utf8").digest();
  return timingSafeEqual(h(input), h(expected));
}
