// Shared answers of the sign-in routes: the session body, and turning a failure into a refusal
// (with Retry-After for too_many_attempts) so these routes never depend on the host app's onError.

import type { Context } from "hono";
import { toBeaconError } from "../../core/errors.js";
import type { SessionService } from "../../services/auth/sessions.js";
import type { SessionRecord } from "../../store/types.js";
import type { Refuse } from "./csrf.js";

export interface SessionBody {
  readonly user: { readonly name: string };
  readonly csrfToken: string;
  /** When the session ends if not used again (idle or absolute, whichever is first). */
  readonly expiresAt: string;
}

export function sessionBody(sessions: SessionService, s: SessionRecord): SessionBody {
  return {
    user: { name: s.user },
    csrfToken: s.csrfToken,
    expiresAt: new Date(sessions.expiresAt(s)).toISOString(),
  };
}

/** The refusal for anything thrown; too_many_attempts carries Retry-After (whole seconds, ≥ 1). */
export function refuseError(c: Context, refuse: Refuse, e: unknown): Response {
  const err = toBeaconError(e);
  if (err.code !== "too_many_attempts") return refuse(c, err);
  const seconds = err.details?.["retryAfterSeconds"];
  const after = typeof seconds === "number" && seconds >= 1 ? Math.ceil(seconds) : 1;
  return refuse(c, err, { "retry-after": String(after) });
}

/** Wraps a handler so every failure becomes a refusal (problem+json), never the host's 500. */
export function guarded<C extends Context>(
  refuse: Refuse,
  fn: (c: C) => Promise<Response>,
): (c: C) => Promise<Response> {
  return async (c) => {
    try {
      return await fn(c);
    } catch (e) {
      return refuseError(c, refuse, e);
    }
  };
}
