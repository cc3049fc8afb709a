// Liveness for load balancers: 200 {"status":"ok"} when the store answers a cheap read, else 503
// store_unavailable (problem+json).

import type { Hono } from "hono";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import type { AppDeps, AppEnv } from "../deps.js";

export function registerHealthRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/healthz", async (c) => {
    try {
      await deps.store.getZone("healthz.invalid");
    } catch (e) {
      if (isBeaconError(e) && e.code === "store_unavailable") throw e;
      throw new BeaconError("store_unavailable", undefined, { cause: e });
    }
    c.header("cache-control", "no-store");
    c.header("x-beacon-version", deps.version);
    return c.json({ status: "ok" });
  });
}
