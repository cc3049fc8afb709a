// Temporary store failures as HTTP answers. While the store cannot take a write (PostgreSQL is away,
// a failover left it read-only, its disk is full) nothing was saved and a client should simply come
// back later: every such answer carries Retry-After, the dyndns2 word is 911 with HTTP 503 (the one
// reply ddclient and inadyn treat as temporary, dyndns2.ts), the JSON API's problem keeps its code.
// Each such request is logged at debug only: the outage itself is logged once by the periodic steps
// (cli/serve/periodic.ts) and the store's health (/healthz) reports it; a line per request would
// flood the log exactly when clients retry the most.

import { isBeaconError, type ErrorCode } from "../core/errors.js";

/** What Retry-After says while the store is away: clients come back soon, not in a burst. */
export const STORE_RETRY_AFTER_SECONDS = 5;

const TEMPORARY: ReadonlySet<ErrorCode> = new Set(["store_unavailable", "store_read_only", "store_full"]);

/** Retry-After (seconds) for a failure with `code` when it is a temporary store failure, else undefined. */
export function storeRetryAfter(code: ErrorCode): number | undefined {
  return TEMPORARY.has(code) ? STORE_RETRY_AFTER_SECONDS : undefined;
}

/** storeRetryAfter of a thrown error (undefined for anything but a BeaconError). */
export function storeRetryAfterOf(e: unknown): number | undefined {
  return isBeaconError(e) ? storeRetryAfter(e.code) : undefined;
}
