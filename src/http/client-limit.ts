// The per-client-network limit of the update endpoints and /ip (services/limits/update-limits.ts),
// checked first, before any credential is read: a flood costs a map lookup.

import type { Context, MiddlewareHandler } from "hono";
import { BeaconError } from "../core/errors.js";
import { retryAfterSeconds } from "../core/rate.js";
import type { ClientScope } from "../services/limits/update-limits.js";
import type { AppDeps, AppEnv } from "./deps.js";

/** Seconds the client must wait (Retry-After), or undefined to go ahead (and counted). */
export function clientWait(deps: AppDeps, c: Context<AppEnv>, scope: ClientScope): number | undefined {
  const wait = deps.limitClient?.(scope, c.get("clientIp"));
  return wait === undefined ? undefined : retryAfterSeconds(wait);
}

function rateLimitedError(seconds: number): BeaconError {
  return new BeaconError("rate_limited", `too many requests from this network; try again in ${seconds} s`, {
    details: { retryAfterSeconds: seconds },
  });
}

/** Middleware for the requests `counts` selects: 429 rate_limited + Retry-After when over the limit. */
export function limitClients(
  deps: AppDeps,
  scope: ClientScope,
  counts: (c: Context<AppEnv>) => boolean = () => true,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const seconds = counts(c) ? clientWait(deps, c, scope) : undefined;
    if (seconds !== undefined) throw rateLimitedError(seconds);
    await next();
  };
}
