// `requireSession` for /api/v1/admin/*: a live session (401 unauthorized / session_expired), the
// same-origin check and, for changes, the session's CSRF token (403 csrf_failed). Sets c.get("user").

import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { parseTrustedProxies } from "../../client-ip.js";
import { sameOriginGuard } from "../../session/csrf.js";
import { sessionGuard, type SessionEnv } from "../../session/guard.js";
import { requestFacts } from "./context.js";
import type { SessionRouteDeps } from "./deps.js";

/** Throws config_invalid when a trusted proxy entry is not an address or CIDR. */
export function requireSession(
  deps: Pick<SessionRouteDeps, "sessions" | "publicUrl" | "clientAddress" | "trustedProxies" | "log">,
): MiddlewareHandler<SessionEnv> {
  const facts = requestFacts(deps, parseTrustedProxies(deps.trustedProxies));
  const origin: MiddlewareHandler<SessionEnv> = sameOriginGuard({
    allowedOrigins: facts.allowedOrigins,
    refuse: facts.refuse,
  });
  const session = sessionGuard({ sessions: deps.sessions, refuse: facts.refuse });
  return every(origin, session);
}
