// The HTTP app: one factory, runtime-free (Web Request/Response only). The Node server is a thin
// adapter in src/cli (and so will a Lambda handler be); tests call `app.request(...)`.

import { Hono } from "hono";
import { BeaconError } from "../core/errors.js";
import { parseTrustedProxies } from "./client-ip.js";
import type { AdminDeps, AppDeps, AppEnv } from "./deps.js";
import { requestContext } from "./middleware/request-context.js";
import { securityHeaders } from "./middleware/security-headers.js";
import { HSTS, transport } from "./middleware/transport.js";
import { problemResponse } from "./problem.js";
import { registerAcmeChallengeRoute } from "./routes/acme-challenge.js";
import { registerAwsSampleRoutes } from "./routes/aws-sample.js";
import { registerDyndns2Routes } from "./routes/dyndns2.js";
import { registerDyndns2HeartbeatRoute } from "./routes/dyndns2-heartbeat.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerIpRoutes } from "./routes/ip.js";
import { registerMetricsRoute } from "./routes/metrics.js";
import { createV1Routes } from "./routes/v1/index.js";
import { registerPages } from "./pages/assets.js";
import { createAdminRoutes } from "./routes/admin/index.js";
import { createSessionRoutes, requireSession } from "./routes/sign-in/index.js";

export type { AppDeps, AppEnv } from "./deps.js";

/** Throws config_invalid when a trusted proxy entry is not an address or CIDR. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const trusted = parseTrustedProxies(deps.trustedProxies);
  const app = new Hono<AppEnv>();

  const hsts = deps.https?.hsts === true ? HSTS : undefined;
  app.use("*", securityHeaders({ hsts: (c) => (c.get("secure") === true ? hsts : undefined) }));
  app.use("*", requestContext(deps, trusted));
  // After the request context (the refusal is logged with its id), before any route.
  app.use("*", transport(deps, trusted));
  registerDyndns2Routes(app, deps);
  registerDyndns2HeartbeatRoute(app, deps);
  registerIpRoutes(app, deps);
  registerHealthRoutes(app, deps);
  registerMetricsRoute(app, deps);
  if (deps.acmeChallenge !== undefined) registerAcmeChallengeRoute(app, deps.acmeChallenge);
  // Before the console's GET / (mountAdmin): a GET / the sample's protocol does not claim goes on to it.
  if (deps.sampleCompat !== undefined) registerAwsSampleRoutes(app, deps, deps.sampleCompat);
  if (deps.admin !== undefined) mountAdmin(app, deps, deps.admin);
  app.route("/api/v1", createV1Routes(deps));

  app.notFound((c) =>
    problemResponse(c, new BeaconError("not_found", `no route for ${c.req.method} ${c.req.path}`), deps.log),
  );
  app.onError((err, c) => {
    const headers: Record<string, string> =
      err instanceof BeaconError && ["unauthorized", "jwt_invalid", "jwt_untrusted_issuer"].includes(err.code)
        ? { "www-authenticate": 'Bearer realm="beacon", Basic realm="beacon"' }
        : {};
    return problemResponse(c, err, deps.log, headers);
  });
  return app;
}

/**
 * Sign-in, the admin API and the pages. Mounted before the token-authenticated /api/v1 routes: their
 * catch-all middleware would otherwise claim /api/v1/session and /api/v1/admin/*.
 */
function mountAdmin(app: Hono<AppEnv>, deps: AppDeps, admin: AdminDeps): void {
  const signIn = {
    ...admin.signIn,
    publicUrl: admin.publicUrl,
    clientAddress: deps.clientAddress,
    trustedProxies: deps.trustedProxies,
    log: deps.log,
  };
  app.route("/api/v1", createSessionRoutes(signIn));
  app.use("/api/v1/admin/*", requireSession(signIn));
  app.route("/api/v1/admin", createAdminRoutes({ ...deps, ...admin }));
  registerPages(app, admin.assets, "admin");
  // A browser opening the server's root lands on the console; scripts keep their 404 problem.
  app.get("/", (c, next) =>
    c.req.header("accept")?.includes("text/html") ? c.redirect("/admin/", 302) : next(),
  );
}
