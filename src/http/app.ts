// The HTTP app: one factory, runtime-free (Web Request/Response only). The Node server and the Lambda
// handler are thin adapters in src/cli; tests call `app.request(...)`.

import { Hono } from "hono";
import { BeaconError } from "../core/errors.js";
import { parseTrustedProxies } from "./client-ip.js";
import type { AppDeps, AppEnv } from "./deps.js";
import { requestContext } from "./middleware/request-context.js";
import { problemResponse } from "./problem.js";
import { registerDyndns2Routes } from "./routes/dyndns2.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerIpRoutes } from "./routes/ip.js";
import { registerMetricsRoute } from "./routes/metrics.js";
import { createV1Routes } from "./routes/v1/index.js";

export type { AppDeps, AppEnv } from "./deps.js";

/** Throws config_invalid when a trusted proxy entry is not an address or CIDR. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const trusted = parseTrustedProxies(deps.trustedProxies);
  const app = new Hono<AppEnv>();

  app.use("*", requestContext(deps, trusted));
  registerDyndns2Routes(app, deps);
  registerIpRoutes(app);
  registerHealthRoutes(app, deps);
  registerMetricsRoute(app, deps);
  app.route("/api/v1", createV1Routes(deps));

  app.notFound((c) =>
    problemResponse(c, new BeaconError("not_found", `no route for ${c.req.method} ${c.req.path}`), deps.log),
  );
  app.onError((err, c) => {
    const headers: Record<string, string> =
      err instanceof BeaconError && err.code === "unauthorized"
        ? { "www-authenticate": 'Bearer realm="beacon", Basic realm="beacon"' }
        : {};
    return problemResponse(c, err, deps.log, headers);
  });
  return app;
}
