// POST /session/password {current, new} (signed in + CSRF): changes the signed-in user's password and
// ends their other sessions. A wrong current password is 403 wrong_password (not 401: the session is
// fine) and counts in the login limiter like a failed sign-in.

import type { Context, Hono, MiddlewareHandler } from "hono";
import { BeaconError } from "../../../core/errors.js";
import { attemptKeys } from "../../../services/auth/login-limiter.js";
import { passwordProblem } from "../../../services/auth/passwords.js";
import type { VerifyGate } from "../../../services/auth/verify-gate.js";
import { readSessionCookie } from "../../session/cookie.js";
import { readStringFields } from "../../session/fields.js";
import type { SessionEnv } from "../../session/guard.js";
import { checkLimiter, MAX_PASSWORD_FIELD } from "../../session/login.js";
import { guarded } from "../../session/respond.js";
import type { RequestFacts } from "./context.js";
import type { SessionRouteDeps } from "./deps.js";

/**
 * The signed-in user's password, checked again before a sensitive change (run it inside the gate):
 * 429 too_many_attempts while `keys` are locked; a wrong one is 403 wrong_password and counts in the
 * login limiter like a failed sign-in.
 */
export async function requirePassword(
  deps: Pick<SessionRouteDeps, "users" | "limiter">,
  keys: readonly string[],
  name: string,
  password: string,
): Promise<void> {
  checkLimiter(deps.limiter, keys);
  if ((await deps.users.verify(name, password)) === undefined) {
    deps.limiter.failed(keys);
    throw new BeaconError("wrong_password");
  }
}

export function registerPasswordRoute(
  app: Hono<SessionEnv>,
  deps: SessionRouteDeps,
  facts: RequestFacts,
  gate: VerifyGate,
  guard: MiddlewareHandler<SessionEnv>,
): void {
  const { users, sessions, log } = deps;
  app.post(
    "/session/password",
    guard,
    guarded(facts.refuse, async (c: Context<SessionEnv>) => {
      const name = c.get("user")?.name;
      if (name === undefined) throw new BeaconError("unauthorized");
      const body = await readStringFields(c.req.raw, {
        current: MAX_PASSWORD_FIELD,
        new: MAX_PASSWORD_FIELD,
      });
      const problem = passwordProblem(body.new);
      if (problem !== undefined) throw new BeaconError("weak_password", problem);
      await gate.run(async () => {
        await requirePassword(deps, attemptKeys(name, facts.clientKey(c)), name, body.current);
        await users.setPassword(name, body.new);
      });
      const ended = await sessions.endAll(name, readSessionCookie(c));
      log.info({ user: name, endedSessions: ended }, "password changed");
      return c.body(null, 204);
    }),
  );
}
