// The admin JSON API under /api/v1/admin (docs/admin.md). Mounted by the app behind the session
// middleware (sign-in and CSRF are not checked here). Every answer is `no-store`: some carry secrets
// shown once. Unknown paths end here as 404 so they never fall through to other /api/v1 handlers.

import { Hono, type Context } from "hono";
import { BeaconError } from "../../../core/errors.js";
import { parseTrustedProxies } from "../../client-ip.js";
import type { AppEnv } from "../../deps.js";
import { registerClientRoutes } from "./clients.js";
import type { AdminRouteDeps } from "./deps.js";
import { registerHostRoutes } from "./hosts.js";
import { registerKeyRoutes } from "./keys.js";
import { registerMirrorRoutes } from "./mirrors.js";
import { requestOrigin } from "./origin.js";
import { registerPoolRoutes } from "./pools.js";
import { registerRecordRoutes } from "./records.js";
import { registerStatsRoutes } from "./stats.js";
import { registerTokenRoutes } from "./tokens.js";
import { registerZoneRoutes } from "./zones.js";

export type { AdminRouteDeps, ProviderChoice } from "./deps.js";

/** Throws config_invalid when a trusted proxy entry is not an address or CIDR. */
export function createAdminRoutes(deps: AdminRouteDeps): Hono<AppEnv> {
  const trusted = parseTrustedProxies(deps.trustedProxies);
  const origin = (c: Context<AppEnv>) => requestOrigin(c, deps, trusted);
  const admin = new Hono<AppEnv>();
  admin.use("*", async (c, next) => {
    await next();
    c.header("cache-control", "no-store");
  });
  registerZoneRoutes(admin, deps);
  registerHostRoutes(admin, deps, origin);
  registerRecordRoutes(admin, deps);
  registerClientRoutes(admin, deps, origin);
  registerTokenRoutes(admin, deps);
  registerKeyRoutes(admin, deps, origin);
  registerMirrorRoutes(admin, deps);
  registerStatsRoutes(admin, deps);
  registerPoolRoutes(admin, deps);
  admin.all("*", (c) => {
    throw new BeaconError("not_found", `no route for ${c.req.method} ${c.req.path.slice(0, 200)}`);
  });
  return admin;
}
