// User-chosen passwords, hashed with scrypt (node:crypto). Stored format:
//   scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>
// Cost parameters travel with the hash so they can be raised later; verifying refuses parameters
// outside fixed bounds, so a hostile or corrupted stored string cannot make us allocate gigabytes.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** Bounds accepted when verifying a stored hash (memory use is about 128 * N * r bytes). */
const MAX_N = 2 ** 17;
const MIN_N = 2 ** 10;
const MAX_R = 16;
const MAX_P = 4;
const MIN_SALT_BYTES = 8;
const MAX_SALT_BYTES = 64;
const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 64;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1024;

function maxmem(n: number, r: number, p: number): number {
  // scrypt needs 128*N*r (V) + 128*r*p (B) bytes plus slack; node refuses when above maxmem.
  return 128 * n * r + 128 * r * p + 1024 * 1024;
}

function derive(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, keylen, options, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** Why a password is not acceptable, or undefined when it is. Length is counted in characters. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    return `the password must have at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `the password must have at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}

/** A new salted scrypt hash of `password` in the stored format. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { N, r: R, p: P, maxmem: maxmem(N, R, P) });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

interface Parsed {
  readonly n: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseInt10(s: string | undefined): number | undefined {
  if (s === undefined || !/^[1-9][0-9]{0,9}$/.test(s)) return undefined;
  return Number(s);
}

function parseStored(stored: string): Parsed | undefined {
  if (stored.length > 512) return undefined;
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const n = parseInt10(parts[1]);
  const r = parseInt10(parts[2]);
  const p = parseInt10(parts[3]);
  if (n === undefined || r === undefined || p === undefined) return undefined;
  if (n < MIN_N || n > MAX_N || (n & (n - 1)) !== 0) return undefined;
  if (r > MAX_R || p > MAX_P) return undefined;
  const saltText = parts[4] ?? "";
  const keyText = parts[5] ?? "";
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return undefined;
  const salt = Buffer.from(saltText, "base64");
  const key = Buffer.from(keyText, "base64");
  if (salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) return undefined;
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) return undefined;
  return { n, r, p, salt, key };
}

/** True when `stored` is a hash verifyPassword can use (format and parameter bounds), e.g. for config checks. */
export function isPasswordHash(stored: string): boolean {
  return parseStored(stored) !== undefined;
}

/**
 * True when `password` matches `stored`. Never throws: a malformed stored string, parameters outside
 * the accepted bounds or a scrypt failure all resolve false. The comparison is constant-time.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (parsed === undefined) return false;
  const { n, r, p, salt, key } = parsed;
  try {
    const candidate = await derive(password, salt, key.length, { N: n, r, p, maxmem: maxmem(n, r, p) });
    return timingSafeEqual(candidate, key);
  } catch {
    return false;
  }
}
