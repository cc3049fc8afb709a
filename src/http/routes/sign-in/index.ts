// The server's sign-in API, mounted at /api/v1 (docs/admin.md "Signing in"):
//   GET/POST /setup, POST/GET/DELETE /session, POST /session/password, POST /session/code (the second
//   step, second-factor.ts), GET /session/totp and POST /session/totp/{secret,enable,disable} (totp.ts).
// The admin routes are guarded separately by requireSession (require-session.ts).

import { Hono } from "hono";
import { BeaconError } from "../../../core/errors.js";
import { createVerifyGate } from "../../../services/auth/verify-gate.js";
import { parseTrustedProxies } from "../../client-ip.js";
import { sameOriginGuard } from "../../session/csrf.js";
import { sessionGuard, type SessionEnv } from "../../session/guard.js";
import { createLoginRoutes } from "../../session/login.js";
import { requestFacts } from "./context.js";
import type { SessionRouteDeps } from "./deps.js";
import { registerPasswordRoute } from "./password.js";
import { registerSecondFactorRoute, secondFactorStep } from "./second-factor.js";
import { registerSetupRoutes } from "./setup.js";
import { registerTotpRoutes } from "./totp.js";

export type { SessionRouteDeps } from "./deps.js";
export { requireSession } from "./require-session.js";

/** Throws config_invalid when a trusted proxy entry is not an address or CIDR. */
export function createSessionRoutes(deps: SessionRouteDeps): Hono<SessionEnv> {
  const facts = requestFacts(deps, parseTrustedProxies(deps.trustedProxies));
  const gate = deps.gate ?? createVerifyGate();
  const app = new Hono<SessionEnv>();
  app.use("/setup", sameOriginGuard({ allowedOrigins: facts.allowedOrigins, refuse: facts.refuse }));
  app.use("/session/*", sameOriginGuard({ allowedOrigins: facts.allowedOrigins, refuse: facts.refuse }));
  registerSetupRoutes(app, deps, facts, gate);
  const guard = sessionGuard({ sessions: deps.sessions, refuse: facts.refuse });
  registerPasswordRoute(app, deps, facts, gate, guard);
  registerSecondFactorRoute(app, deps, facts);
  registerTotpRoutes(app, deps, facts, gate, guard);
  app.route(
    "/session",
    createLoginRoutes({
      sessions: deps.sessions,
      limiter: deps.limiter,
      gate,
      verify: (name, password) => deps.users.verify(name, password),
      afterPassword: secondFactorStep(deps, facts),
      ...facts,
    }),
  );
  // Other methods end here as 405, never falling through to the token-authenticated /api/v1 routes.
  for (const [path, allow] of [
    ["/setup", "GET, POST"],
    ["/session", "GET, POST, DELETE"],
    ["/session/password", "POST"],
    ["/session/code", "POST"],
    ["/session/totp", "GET"],
    ["/session/totp/secret", "POST"],
    ["/session/totp/enable", "POST"],
    ["/session/totp/disable", "POST"],
  ] as const) {
    app.all(path, (c) =>
      facts.refuse(c, new BeaconError("method_not_allowed", `${path.slice(1)} allows ${allow}`), { allow }),
    );
  }
  return app;
}
