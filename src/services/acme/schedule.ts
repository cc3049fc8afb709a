// When to renew a certificate and how long to wait after a failed order (services/acme/renewal.ts).
// Pure: times in, times out.

import type { Random } from "../../core/timers.js";

/** The first retry waits this long after a failure; each further failure doubles it… */
export const RETRY_FIRST_MS = 60_000;
/** …up to this. */
export const RETRY_MAX_MS = 3_600_000;

/**
 * When a certificate valid from `notBefore` to `notAfter` is due for renewal: the earlier of
 * `renewBeforeMs` before expiry and a third of its lifetime before expiry. A window longer than the
 * whole lifetime (a 6-day certificate with the default 30 days) is ignored, or the certificate would be
 * due the moment it was issued: such a certificate renews with a third of its lifetime left.
 */
export function renewalAt(cert: { notBefore: number; notAfter: number }, renewBeforeMs: number): number {
  const byThird = cert.notAfter - (cert.notAfter - cert.notBefore) / 3;
  const byWindow = cert.notAfter - renewBeforeMs;
  return Math.floor(byWindow > cert.notBefore ? Math.min(byWindow, byThird) : byThird);
}

/**
 * The wait after the `failures`-th failure in a row (≥ 1): RETRY_FIRST_MS doubled per failure, capped
 * at RETRY_MAX_MS, then spread down to half at random ("equal jitter"), so nodes and servers restarted
 * together do not retry in step.
 */
export function retryDelay(failures: number, random: Random): number {
  const exp = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}
