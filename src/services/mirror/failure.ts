// A failed delivery as the mirror's state records it, shared by the background runner (runner.ts)
// and the synchronous drain (drain.ts), so both park a failing vendor for the same time: 1 s doubling
// up to a maximum, or longer when the vendor said when to come back (details.retryAfterMs).

import { isBeaconError, toBeaconError } from "../../core/errors.js";
import { clip } from "../../providers/errors.js";
import type { MirrorFailure } from "../../store/types.js";

export const FIRST_BACKOFF_MS = 1_000;

/** Delay after the `attempts`-th failure in a row: 1 s doubling up to `max`, or longer if the vendor asked. */
export function backoffMs(attempts: number, max: number, retryAfterMs?: number): number {
  const exp = Math.min(max, FIRST_BACKOFF_MS * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return retryAfterMs !== undefined && retryAfterMs > exp ? retryAfterMs : exp;
}

function retryAfterOf(e: unknown): number | undefined {
  const v = isBeaconError(e) ? e.details?.["retryAfterMs"] : undefined;
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * The record of `e` as the `attempts`-th failure in a row (this one counted), at `at`, with the delay
 * before the next try. The message never holds a secret: `internal` hides its cause's words in the
 * catalogue message, so a clipped version of them is kept for people.
 */
export function mirrorFailure(
  e: unknown,
  attempts: number,
  at: number,
  maxBackoffMs: number,
): { readonly failure: MirrorFailure; readonly delayMs: number } {
  const err = toBeaconError(e);
  const message = err.code === "internal" && e instanceof Error ? clip(e.message) : err.message;
  const delayMs = backoffMs(attempts, maxBackoffMs, retryAfterOf(e));
  return { failure: { code: err.code, message, at, nextTryAt: at + delayMs }, delayMs };
}
