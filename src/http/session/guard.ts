// The "signed in" middleware for any Hono app: a live session cookie, else 401 unauthorized or
// session_expired; for unsafe methods also the session's CSRF token in X-CSRF-Token, else 403
// csrf_failed. Sets c.get("user") and c.get("session") for the handlers behind it.
//
// Refusals are answered here (through `refuse`) rather than thrown, so the host app's error handler
// cannot add a WWW-Authenticate challenge: a Basic challenge would make the browser pop up a dialog.

import type { MiddlewareHandler } from "hono";
import { BeaconError } from "../../core/errors.js";
import type { SessionService } from "../../services/auth/sessions.js";
import type { SessionRecord } from "../../store/types.js";
import { readSessionCookie } from "./cookie.js";
import { csrfTokenMatches, isSafeMethod, type Refuse } from "./csrf.js";

export interface SessionUser {
  readonly name: string;
}

export interface SessionEnv {
  Variables: {
    user: SessionUser | undefined;
    session: SessionRecord | undefined;
  };
}

export interface SessionGuardOptions {
  readonly sessions: SessionService;
  readonly refuse: Refuse;
  readonly cookieName?: string;
}

export function sessionGuard(opts: SessionGuardOptions): MiddlewareHandler<SessionEnv> {
  const { sessions, refuse } = opts;
  return async (c, next) => {
    let resumed;
    try {
      resumed = await sessions.resume(readSessionCookie(c, opts.cookieName));
    } catch (e) {
      return refuse(c, e instanceof BeaconError ? e : new BeaconError("internal", undefined, { cause: e }));
    }
    if (!resumed.ok) return refuse(c, new BeaconError(resumed.code));
    if (!isSafeMethod(c.req.method) && !csrfTokenMatches(c, resumed.session.csrfToken))
      return refuse(c, new BeaconError("csrf_failed", "missing or wrong X-CSRF-Token header"));
    c.set("session", resumed.session);
    c.set("user", { name: resumed.session.user });
    return next();
  };
}
