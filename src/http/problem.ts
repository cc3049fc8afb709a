// The one place errors become HTTP problem documents (RFC 9457, application/problem+json).
// Unknown exceptions are `internal`: logged in full, answered without any detail.

import type { Context } from "hono";
import { ERRORS, toBeaconError, type ErrorCode } from "../core/errors.js";
import type { Log } from "../core/log.js";
import type { AppEnv } from "./deps.js";
import { storeRetryAfter } from "./store-outage.js";

export const PROBLEM_TYPE_BASE = "https://beacon.invalid/errors/";

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly requestId?: string;
  readonly [extra: string]: unknown;
}

export function problemFor(e: unknown, requestId?: string): ProblemDocument {
  const err = toBeaconError(e);
  const { title, status } = ERRORS[err.code];
  // `internal` hides the message: it may quote a driver error or a stack.
  const detail = err.code === "internal" ? title : err.message;
  return {
    ...(err.details ?? {}),
    type: `${PROBLEM_TYPE_BASE}${err.code}`,
    title,
    status,
    detail,
    code: err.code,
    ...(requestId === undefined ? {} : { requestId }),
  };
}

/**
 * Answers with the problem document for `e`; logs server-side failures (a temporary store failure at
 * debug only: store-outage.ts). A `retryAfterSeconds` detail (whole seconds ≥ 1: rate_limited) is
 * also sent as Retry-After, and so is a temporary store failure's (STORE_RETRY_AFTER_SECONDS).
 */
export function problemResponse(
  c: Context<AppEnv>,
  e: unknown,
  log: Log,
  headers: Record<string, string> = {},
): Response {
  const requestId = c.get("requestId");
  const body = problemFor(e, requestId);
  const storeRetry = storeRetryAfter(body.code);
  if (storeRetry !== undefined) log.debug({ err: e, requestId, code: body.code }, "request failed");
  else if (body.status >= 500) log.error({ err: e, requestId, code: body.code }, "request failed");
  const retry = body["retryAfterSeconds"] ?? storeRetry;
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      ...(typeof retry === "number" ? { "retry-after": String(retry) } : {}),
      ...headers,
    },
  });
}
