// The sign-in routes for any Hono app, mounted at the app's session path (the server: /api/v1/session):
//   POST   /  {username, password} → 200 + cookie + SessionBody; 401 unauthorized (same answer for an
//             unknown user and a wrong password); 429 too_many_attempts + Retry-After when the client's
//             network or the account from it is locked (login-limiter.ts: never the account for all);
//             or, when `afterPassword` answers (a second factor is due), its answer and no session
//   GET    /  → 200 SessionBody (no new cookie) or 401
//   DELETE /  (session + CSRF) → 204, cookie cleared
// Every unsafe request must also pass the same-origin check (login CSRF: a foreign page must not sign
// the browser in to an account of the attacker's).

import { Hono, type Context } from "hono";
import { BeaconError } from "../../core/errors.js";
import { attemptKeys, successKeys, type LoginLimiter } from "../../services/auth/login-limiter.js";
import type { SessionService } from "../../services/auth/sessions.js";
import type { VerifyGate } from "../../services/auth/verify-gate.js";
import { clearSessionCookie, readSessionCookie, setSessionCookie } from "./cookie.js";
import { sameOriginGuard, type Refuse } from "./csrf.js";
import { readStringFields } from "./fields.js";
import { sessionGuard, type SessionEnv, type SessionUser } from "./guard.js";
import { guarded, sessionBody } from "./respond.js";

/** Longest user name and password (in UTF-16 units) read from a body; the rules are checked later. */
export const MAX_USERNAME_FIELD = 256;
export const MAX_PASSWORD_FIELD = 4096;

export interface LoginDeps {
  readonly sessions: SessionService;
  readonly limiter: LoginLimiter;
  readonly gate: VerifyGate;
  /** The user for a right name and password; undefined otherwise (taking the same time). */
  readonly verify: (username: string, password: string) => Promise<SessionUser | undefined>;
  /** The limiter key of the client's network (login-limiter.ts ipKey of the client address). */
  readonly clientKey: (c: Context) => string;
  /** True when the request came over HTTPS (the cookie is then Secure). */
  readonly secure: (c: Context) => boolean;
  /** Full origins this app answers as ("https://beacon.example"). */
  readonly allowedOrigins: (c: Context) => readonly string[];
  readonly refuse: Refuse;
  readonly cookieName?: string;
  /**
   * Called after a right password, before any session exists: its answer (the second-factor step)
   * replaces the session, and the limiter is not told of a success (only the finished step may).
   */
  readonly afterPassword?: (c: Context, user: SessionUser) => Promise<Response | undefined>;
}

/** Starts a fresh session (a new id on every sign-in: no fixation; the browser's old one ends). */
export async function startSession(
  c: Context,
  deps: Pick<LoginDeps, "sessions" | "secure" | "cookieName">,
  user: string,
): Promise<Response> {
  await deps.sessions.end(readSessionCookie(c, deps.cookieName));
  const { cookieValue, session } = await deps.sessions.start(user);
  setSessionCookie(c, cookieValue, deps.secure(c), deps.cookieName);
  c.header("cache-control", "no-store");
  return c.json(sessionBody(deps.sessions, session), 200);
}

/** Refuses with too_many_attempts when any key is locked. */
export function checkLimiter(limiter: LoginLimiter, keys: readonly string[]): void {
  const wait = limiter.check(keys);
  if (wait !== undefined)
    throw new BeaconError("too_many_attempts", "too many failed attempts; try again later", {
      details: { retryAfterSeconds: Math.ceil(wait / 1000) },
    });
}

export function createLoginRoutes(deps: LoginDeps): Hono<SessionEnv> {
  const { sessions, limiter, gate, refuse } = deps;
  const app = new Hono<SessionEnv>();
  app.use("*", sameOriginGuard({ allowedOrigins: deps.allowedOrigins, refuse }));

  app.post(
    "/",
    guarded(refuse, async (c) => {
      const { username, password } = await readStringFields(c.req.raw, {
        username: MAX_USERNAME_FIELD,
        password: MAX_PASSWORD_FIELD,
      });
      const client = deps.clientKey(c);
      const keys = attemptKeys(username, client);
      const user = await gate.run(async () => {
        checkLimiter(limiter, keys);
        const u = await deps.verify(username, password);
        if (u === undefined) limiter.failed(keys);
        return u;
      });
      if (user === undefined) throw new BeaconError("unauthorized", "wrong user name or password");
      const step = await deps.afterPassword?.(c, user);
      if (step !== undefined) return step;
      limiter.succeeded(successKeys(username, client));
      return startSession(c, deps, user.name);
    }),
  );

  const guard = sessionGuard({
    sessions,
    refuse,
    ...(deps.cookieName === undefined ? {} : { cookieName: deps.cookieName }),
  });

  app.get(
    "/",
    guard,
    guarded(refuse, (c: Context<SessionEnv>) => {
      const session = c.get("session");
      if (session === undefined) throw new BeaconError("unauthorized");
      c.header("cache-control", "no-store");
      return Promise.resolve(c.json(sessionBody(sessions, session), 200));
    }),
  );

  app.delete(
    "/",
    guard,
    guarded(refuse, async (c) => {
      await sessions.end(readSessionCookie(c, deps.cookieName));
      clearSessionCookie(c, deps.secure(c), deps.cookieName);
      return c.body(null, 204);
    }),
  );

  return app;
}
