// Cross-site request forgery defences, for any Hono app:
// - sameOriginGuard: an unsafe request (not GET/HEAD/OPTIONS) is refused when its Origin header is
//   present and not one of ours (including "null"), or its Sec-Fetch-Site says another site sent it.
//   Browsers set both and scripts cannot forge them; clients without them (curl) pass this check.
// - csrfTokenMatches: the per-session token the page echoes in X-CSRF-Token, compared in constant time.

import type { Context, MiddlewareHandler } from "hono";
import { BeaconError } from "../../core/errors.js";

export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** Answers a refused request (problem+json in the host app's own format). */
export type Refuse = (c: Context, error: BeaconError, headers?: Record<string, string>) => Response;

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Equality whose running time depends only on the lengths, never on where the strings differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** True when the request's X-CSRF-Token equals `expected` (constant time; clipped to bound the work). */
export function csrfTokenMatches(c: Context, expected: string): boolean {
  const got = c.req.header(CSRF_HEADER);
  if (got === undefined || got.length > 256) return false;
  return expected !== "" && constantTimeEqual(got, expected);
}

/**
 * Why the request looks cross-site, or undefined. `allowed` are full origins ("https://host:port").
 * Sec-Fetch-Site other than same-origin or none (a typed URL) is refused: a sibling subdomain is
 * "same-site" for the browser, yet may be someone else's.
 */
export function crossSiteProblem(c: Context, allowed: readonly string[]): string | undefined {
  const site = c.req.header("sec-fetch-site")?.toLowerCase();
  if (site !== undefined && site !== "same-origin" && site !== "none")
    return `the browser says another site sent this request (Sec-Fetch-Site: ${site.slice(0, 20)})`;
  const origin = c.req.header("origin");
  if (origin === undefined) return undefined;
  if (!allowed.some((o) => o.toLowerCase() === origin.toLowerCase()))
    return "the request comes from a page of another origin";
  return undefined;
}

/** Middleware: refuses unsafe cross-site requests with 403 csrf_failed. */
export function sameOriginGuard(opts: {
  readonly allowedOrigins: (c: Context) => readonly string[];
  readonly refuse: Refuse;
}): MiddlewareHandler {
  return async (c, next) => {
    if (!isSafeMethod(c.req.method)) {
      const problem = crossSiteProblem(c, opts.allowedOrigins(c));
      if (problem !== undefined) return opts.refuse(c, new BeaconError("csrf_failed", problem));
    }
    return next();
  };
}
