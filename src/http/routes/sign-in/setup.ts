// First-run setup: GET /setup says whether it is needed; POST /setup {code, username, password}
// creates the first admin with the code from the server's log and signs them in (201 + cookie).
// A wrong code counts against the client's network in the login limiter (401 setup_code_invalid);
// once any user exists the answer is 409 setup_done, also to a racing second request.

import type { Hono } from "hono";
import { BeaconError } from "../../../core/errors.js";
import { passwordProblem } from "../../../services/auth/passwords.js";
import { setupCodeMatches } from "../../../services/auth/setup-code.js";
import type { VerifyGate } from "../../../services/auth/verify-gate.js";
import { setSessionCookie } from "../../session/cookie.js";
import { readStringFields } from "../../session/fields.js";
import type { SessionEnv } from "../../session/guard.js";
import { checkLimiter, MAX_PASSWORD_FIELD, MAX_USERNAME_FIELD } from "../../session/login.js";
import { guarded, sessionBody } from "../../session/respond.js";
import type { RequestFacts } from "./context.js";
import type { SessionRouteDeps } from "./deps.js";

export function registerSetupRoutes(
  app: Hono<SessionEnv>,
  deps: SessionRouteDeps,
  facts: RequestFacts,
  gate: VerifyGate,
): void {
  const { users, sessions, limiter, log } = deps;

  app.get(
    "/setup",
    guarded(facts.refuse, async (c) => {
      c.header("cache-control", "no-store");
      return c.json({ required: (await users.count()) === 0 });
    }),
  );

  app.post(
    "/setup",
    guarded(facts.refuse, async (c) => {
      const body = await readStringFields(c.req.raw, {
        code: 256,
        username: MAX_USERNAME_FIELD,
        password: MAX_PASSWORD_FIELD,
      });
      if ((await users.count()) > 0) throw new BeaconError("setup_done");
      const keys = [facts.clientKey(c)];
      const user = await gate.run(async () => {
        checkLimiter(limiter, keys);
        const expected = deps.setupCode();
        if (expected === undefined)
          throw new BeaconError(
            "setup_code_invalid",
            "setup by code is off here; create a user with `beacon user add`",
          );
        if (!setupCodeMatches(body.code, expected)) {
          limiter.failed(keys);
          throw new BeaconError("setup_code_invalid");
        }
        const problem = passwordProblem(body.password);
        if (problem !== undefined) throw new BeaconError("weak_password", problem);
        return users.setupFirstUser(body.username, body.password);
      });
      deps.onSetupDone?.();
      log.info({ user: user.name }, "first admin user created");
      const { cookieValue, session } = await sessions.start(user.name);
      setSessionCookie(c, cookieValue, facts.secure(c));
      c.header("cache-control", "no-store");
      return c.json(sessionBody(sessions, session), 201);
    }),
  );
}
