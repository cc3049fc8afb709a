// How long to wait after a failed publish.
//
// - `retry` (network errors, 5xx): exponential, 30 s doubling up to 15 min, ±10% jitter.
// - `backoff` (the service asked us to wait): as long as it asked, and at least 30 min for the dyndns2
//   codes 911 and dnserr, whose documentation says "no sooner than 30 minutes".

import { jittered, type Random } from "../../core/timers.js";
import type { PublishResult } from "../targets/types.js";

export const RETRY_BASE_MS = 30_000;
export const RETRY_CAP_MS = 15 * 60_000;
export const DYNDNS2_BACKOFF_MIN_MS = 30 * 60_000;
/** Codes that get the 30-minute floor whatever the target says. */
const LONG_BACKOFF_CODES = new Set(["911", "dnserr"]);

/** Delay before retry number `attempt` (1 = first retry). Never above RETRY_CAP_MS, jitter included. */
export function retryDelayMs(attempt: number, random: Random): number {
  const exp = RETRY_BASE_MS * 2 ** Math.min(Math.max(attempt - 1, 0), 20);
  return Math.min(jittered(Math.min(exp, RETRY_CAP_MS), random), RETRY_CAP_MS);
}

/** Delay after a `backoff` result. */
export function backoffDelayMs(code: string, retryAfterMs: number): number {
  const asked = Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : 0;
  const floor = LONG_BACKOFF_CODES.has(code.toLowerCase()) ? DYNDNS2_BACKOFF_MIN_MS : RETRY_BASE_MS;
  return Math.max(asked, floor);
}

/** How long a publish result makes the record wait: backoffDelayMs for a `backoff`, else 0. */
export function requestedWaitMs(result: PublishResult | undefined): number {
  return result?.status === "backoff" ? backoffDelayMs(result.code, result.retryAfterMs) : 0;
}
