// The second sign-in step for users with TOTP on (docs/admin.md "Two-factor sign-in"):
//   POST /session {username, password} (login.ts) → 202 {secondFactor: "totp", expiresAt} and the
//        HttpOnly, SameSite=Strict challenge cookie instead of a session, when the user has TOTP on;
//   POST /session/code {code} (same-origin check, as the first step; no session yet, so no CSRF token)
//        → 200 + session cookie + SessionBody for a right TOTP code or unused recovery code;
//        403 wrong_code (counted by the login limiter like a wrong password), 429 too_many_attempts,
//        401 sign_in_expired when the challenge is missing, unknown or older than 5 minutes.
// No session exists until both steps pass; the challenge lives in the store, so any node can finish it.

import type { Context, Hono } from "hono";
import { BeaconError } from "../../../core/errors.js";
import { attemptKeys, successKeys } from "../../../services/auth/login-limiter.js";
import { clearSessionCookie, readSessionCookie, setSessionCookie } from "../../session/cookie.js";
import { readStringFields } from "../../session/fields.js";
import type { SessionEnv, SessionUser } from "../../session/guard.js";
import { checkLimiter, startSession } from "../../session/login.js";
import { guarded } from "../../session/respond.js";
import type { RequestFacts } from "./context.js";
import type { SessionRouteDeps } from "./deps.js";

export const CHALLENGE_COOKIE = "beacon_sign_in";

/** A code field longer than this is refused as malformed (400): far longer than any code. */
export const MAX_CODE_FIELD = 256;

type Deps = Pick<SessionRouteDeps, "secondFactor" | "challenges" | "sessions" | "limiter" | "log">;

/** LoginDeps.afterPassword: opens the challenge when the user has TOTP on. */
export function secondFactorStep(
  deps: Deps,
  facts: RequestFacts,
): (c: Context, user: SessionUser) => Promise<Response | undefined> {
  return async (c, user) => {
    if (!(await deps.secondFactor.required(user.name))) return undefined;
    const { cookieValue, challenge } = await deps.challenges.begin(user.name);
    setSessionCookie(c, cookieValue, facts.secure(c), CHALLENGE_COOKIE);
    c.header("cache-control", "no-store");
    return c.json({ secondFactor: "totp", expiresAt: new Date(challenge.expiresAt).toISOString() }, 202);
  };
}

export function registerSecondFactorRoute(app: Hono<SessionEnv>, deps: Deps, facts: RequestFacts): void {
  const { secondFactor, challenges, limiter, log } = deps;
  const session = { sessions: deps.sessions, secure: facts.secure };
  app.post(
    "/session/code",
    guarded(facts.refuse, async (c) => {
      const { code } = await readStringFields(c.req.raw, { code: MAX_CODE_FIELD });
      const cookie = readSessionCookie(c, CHALLENGE_COOKIE);
      const challenge = await challenges.find(cookie);
      if (cookie === undefined || challenge === undefined) {
        clearSessionCookie(c, facts.secure(c), CHALLENGE_COOKIE);
        throw new BeaconError("sign_in_expired");
      }
      const client = facts.clientKey(c);
      const keys = attemptKeys(challenge.user, client);
      checkLimiter(limiter, keys);
      const kind = await secondFactor.verify(challenge.user, code);
      if (kind === undefined) {
        limiter.failed(keys);
        throw new BeaconError("wrong_code");
      }
      // One caller alone finishes a challenge: the same cookie cannot open two sessions.
      if (!(await challenges.finish(cookie))) throw new BeaconError("sign_in_expired");
      limiter.succeeded(successKeys(challenge.user, client));
      clearSessionCookie(c, facts.secure(c), CHALLENGE_COOKIE);
      if (kind === "recovery") log.warn({ user: challenge.user }, "signed in with a recovery code");
      return startSession(c, session, challenge.user);
    }),
  );
}
