// The JSON API under /api/v1: every route needs a token; errors are problem+json.

import { Hono, type Context } from "hono";
import type { AppDeps, AppEnv } from "../../deps.js";
import { limitClients } from "../../client-limit.js";
import { requireToken } from "./auth.js";
import { registerHeartbeatRoute } from "./heartbeat.js";
import { registerHostRoutes } from "./hosts.js";
import { registerMirrorRoutes } from "./mirrors.js";
import { registerPoolRoutes } from "./pools.js";
import { registerRecordRoutes } from "./records.js";

export function createV1Routes(deps: AppDeps): Hono<AppEnv> {
  const v1 = new Hono<AppEnv>();
  // Writes are update requests: limited per client network before the credentials are even read.
  // Heartbeats (an agent's every 10 s) have their own limit instead (limits.client_heartbeat).
  const heartbeat = (c: Context<AppEnv>): boolean =>
    c.req.method === "POST" && c.req.path.endsWith("/v1/heartbeat");
  v1.use(
    "*",
    limitClients(deps, "client", (c) => c.req.method !== "GET" && c.req.method !== "HEAD" && !heartbeat(c)),
  );
  v1.use("*", limitClients(deps, "client_heartbeat", heartbeat));
  v1.use("*", requireToken(deps));
  registerHostRoutes(v1, deps);
  registerRecordRoutes(v1, deps);
  registerMirrorRoutes(v1, deps);
  // Without pools (or heartbeats) these routes do not exist: 404 not_found.
  if (deps.pools !== undefined) registerPoolRoutes(v1, { pools: deps.pools });
  if (deps.heartbeats !== undefined) registerHeartbeatRoute(v1, { ...deps, heartbeats: deps.heartbeats });
  return v1;
}
