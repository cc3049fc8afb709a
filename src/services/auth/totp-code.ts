// RFC 6238 TOTP codes as authenticator apps make them: HMAC-SHA-1, 6 digits, 30-second steps (otpauth).
// A secret is 20 random bytes (160 bits, RFC 4226's recommendation), written in base32 without padding.
//
// checkTotp promises: a code is accepted for the current step and one step either side (clock drift
// between the phone and the server), and the answer is the step it matched, so the caller can refuse a
// code of a step already used (replay). Input is typed by a person: surrounding whitespace and single
// spaces or hyphens between digits ("123 456") are accepted; anything else that is not exactly six
// ASCII digits (5 or 7 digits, letters, other spaces, other digits, long input) is simply not a code.

import { randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";

export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
const SECRET_BYTES = 20;
/** Longer input is never a code (nor a recovery code): no work is spent on it. */
export const MAX_CODE_INPUT = 64;

/** A fresh secret, base32 (32 characters for 20 bytes). */
export function newTotpSecret(random: (n: number) => Uint8Array = (n) => randomBytes(n)): string {
  return new Secret({ buffer: Uint8Array.from(random(SECRET_BYTES)).buffer }).base32;
}

/** The otpauth:// URI an authenticator app imports (typed in, or as a QR code made elsewhere). */
export function totpUri(secret: string, account: string, issuer: string): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

/**
 * The input with surrounding whitespace removed and single spaces or hyphens between characters
 * dropped, or undefined when it is too long or has other separators. Shared with recovery codes.
 */
export function compactCode(input: string): string | undefined {
  if (input.length > MAX_CODE_INPUT) return undefined;
  const trimmed = input.trim();
  if (!/^[A-Za-z0-9]+(?:[ -][A-Za-z0-9]+)*$/.test(trimmed)) return undefined;
  return trimmed.replace(/[ -]/g, "");
}

/** The time step of `nowMs`. */
export function totpStep(nowMs: number): number {
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: nowMs });
}

/** The code of `secret` at `nowMs` (tests, and the e2e test's "authenticator app"). */
export function totpCode(secret: string, nowMs: number): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
  });
}

/** The step (current ± 1) whose code `input` is, or undefined when it is none of them. */
export function checkTotp(secret: string, input: string, nowMs: number): number | undefined {
  const code = compactCode(input);
  if (code === undefined || !/^[0-9]{6}$/.test(code)) return undefined;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
    window: 1,
  });
  return delta === null ? undefined : totpStep(nowMs) + delta;
}
