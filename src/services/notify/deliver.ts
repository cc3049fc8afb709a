// One delivery attempt of one outbox row to its webhook, and what to do next (docs/webhooks.md
// "Retries"): a POST of the default JSON body or the rendered template, signed (signature.ts), with a
// 10 s timeout and no redirects followed (net/http-request.ts never follows them).
// Verdicts: 2xx delivered; 410 Gone: the receiver is gone for good, the webhook is disabled; 429 and
// 5xx, timeouts and network errors: retried (exponential backoff from 1 s, doubling, capped at 10 min,
// ±20 % jitter; a longer Retry-After wins); any other status (3xx, 4xx): retried until the
// REJECTED_ATTEMPTS-th attempt, then dropped. The receiver's body is never kept: the error is a
// short status line. Never throws.

import { jittered, type Random } from "../../core/timers.js";
import type { HttpRequest } from "../../net/http.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import type { PendingNotification, WebhookRecord } from "../../store/ports.js";
import { eventFields } from "./events.js";
import { sign } from "./signature.js";
import { renderTemplate } from "./template.js";

export const ATTEMPT_TIMEOUT_MS = 10_000;
export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 600_000;
/** A 3xx or 4xx other than 410/429 is tried this many times in all, then dropped. */
export const REJECTED_ATTEMPTS = 3;
/** Replies larger than this fail the attempt (the body is read only to be thrown away). */
const MAX_REPLY_BYTES = 64 * 1024;

export type Verdict =
  | { readonly outcome: "delivered" }
  | { readonly outcome: "gone"; readonly error: string }
  | { readonly outcome: "rejected"; readonly error: string }
  | { readonly outcome: "retry"; readonly error: string; readonly delayMs: number };

export interface AttemptDeps {
  readonly http: HttpRequest;
  readonly userAgent: string;
  readonly random: Random;
  /** Unix ms, for the timestamp header and Retry-After dates. */
  readonly now: number;
  readonly signal: AbortSignal;
}

/** The wait before the next try after `attempts` failed attempts (≥ 1). */
export function backoffMs(attempts: number, random: Random): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** Math.min(Math.max(0, attempts - 1), 30), MAX_RETRY_MS);
  return jittered(base, random, 0.2);
}

/** The request for `row`: url, headers and body, signed at `now`. */
export function buildRequest(
  hook: WebhookRecord,
  row: PendingNotification,
  userAgent: string,
  now: number,
): { headers: Record<string, string>; body: string } {
  const fields = eventFields(row.kind, row.id, row.payload);
  const { body, contentType } =
    hook.template === null
      ? { body: JSON.stringify(fields), contentType: "application/json" }
      : renderTemplate(hook.template, fields);
  const timestamp = Math.floor(now / 1000);
  return {
    body,
    headers: {
      "content-type": contentType,
      "user-agent": userAgent,
      "x-beacon-event": row.kind,
      "x-beacon-delivery": row.id,
      "x-beacon-timestamp": String(timestamp),
      "x-beacon-signature": sign(hook.secret, timestamp, body),
    },
  };
}

export async function attempt(
  hook: WebhookRecord,
  row: PendingNotification,
  deps: AttemptDeps,
): Promise<Verdict> {
  const tries = row.attempts + 1;
  const retry = (error: string, atLeastMs = 0): Verdict => ({
    outcome: "retry",
    error,
    delayMs: Math.max(backoffMs(tries, deps.random), atLeastMs),
  });
  let request;
  try {
    request = buildRequest(hook, row, deps.userAgent, deps.now);
  } catch (e) {
    return { outcome: "rejected", error: `cannot build the body: ${(e as Error).message}` };
  }
  let status: number;
  let retryAfter: string | undefined;
  try {
    const reply = await deps.http(hook.url, {
      method: "POST",
      ...request,
      signal: deps.signal,
      maxBytes: MAX_REPLY_BYTES,
    });
    status = reply.status;
    retryAfter = reply.headers["retry-after"];
  } catch (e) {
    return retry(((e as Error).message || "request failed").slice(0, 200));
  }
  const line = `HTTP ${status}`;
  if (status >= 200 && status < 300) return { outcome: "delivered" };
  if (status === 410) return { outcome: "gone", error: line };
  if (status === 429 || status >= 500) return retry(line, parseRetryAfter(retryAfter, deps.now) ?? 0);
  return tries >= REJECTED_ATTEMPTS ? { outcome: "rejected", error: line } : retry(line);
}
