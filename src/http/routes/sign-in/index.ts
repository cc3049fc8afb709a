// The server's sign-in API, mounted at /api/v1 (docs/admin.md "Signing in"):
//   GET/POST /setup, POST/GET/DELETE /session, POST /session/password.
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
import { registerSetupRoutes } from "./setup.js";

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
  registerPasswordRoute(
    app,
    deps,
    facts,
    gate,
    sessionGuard({ sessions: deps.sessions, refuse: facts.refuse }),
  );
  app.route(
    "/session",
    createLoginRoutes({
      sessions: deps.sessions,
      limiter: deps.limiter,
      gate,
      verify: (name, password) => deps.users.verify(name, password),
      ...facts,
    }),
  );
  // Other methods end here as 405, never falling through to the token-authenticated /api/v1 routes.
  for (const [path, allow] of [
    ["/setup", "GET, POST"],
    ["/session", "GET, POST, DELETE"],
    ["/session/password", "POST"],
  ] as const) {
    app.all(path, (c) =>
      facts.refuse(c, new BeaconError("method_not_allowed", `${path.slice(1)} allows ${allow}`), { allow }),
    );
  }
  return app;
}
