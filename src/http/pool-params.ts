// The pool routes' path and query parameters (admin API and /api/v1), checked before any service is
// called: every value is hostile. A pool name is a domain name (core/names: lowercased, ≤ 253, ASCII
// only); a member id is [a-z0-9_-]{1,63} as written (no case folding); `limit` and `since` are
// bounded. Failures are catalogue problems: invalid_hostname, bad_request.

import type { Context } from "hono";
import { BeaconError } from "../core/errors.js";
import { normalizeName } from "../core/names.js";
import { parseDurationMs } from "../config/duration.js";
import type { AppEnv } from "./deps.js";
import { intQuery } from "./request-parse.js";

const MEMBER_ID = /^[a-z0-9_-]{1,63}$/;
export const TRANSITIONS_LIMIT = { default: 100, max: 500 } as const;
export const ROLLUPS_SINCE = { defaultMs: 3_600_000, maxMs: 7 * 86_400_000 } as const;

/** The canonical pool name of the `:name` path parameter. */
export function poolNameParam(c: Context<AppEnv>): string {
  return normalizeName(c.req.param("name") ?? "");
}

/** The `:member` path parameter. */
export function memberParam(c: Context<AppEnv>): string {
  const raw = c.req.param("member") ?? "";
  if (!MEMBER_ID.test(raw))
    throw new BeaconError("bad_request", "a member id is 1 to 63 of a-z, 0-9, _ and -");
  return raw;
}

/** `limit` (1..500, default 100) and `before` (a transition id) of the transitions route. */
export function transitionsQuery(c: Context<AppEnv>): { limit: number; before?: number } {
  const limit = intQuery(c, "limit") ?? TRANSITIONS_LIMIT.default;
  if (limit < 1 || limit > TRANSITIONS_LIMIT.max)
    throw new BeaconError("bad_request", `limit must be 1 to ${TRANSITIONS_LIMIT.max}`);
  const before = intQuery(c, "before");
  return before === undefined ? { limit } : { limit, before };
}

/** `since` as ms: a duration ("90m", "24h", "7d"; bare numbers are seconds), default 1h, at most 7d. */
export function sinceQuery(c: Context<AppEnv>): number {
  const raw = c.req.query("since");
  if (raw === undefined || raw === "") return ROLLUPS_SINCE.defaultMs;
  const ms = raw.length > 16 ? undefined : parseDurationMs(raw);
  if (ms === undefined || ms <= 0 || ms > ROLLUPS_SINCE.maxMs)
    throw new BeaconError("bad_request", "since must be a duration such as 1h or 24h, at most 7d");
  return ms;
}
