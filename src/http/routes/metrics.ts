// GET /metrics: the server's Prometheus text (DNS counters and whatever else is registered on the
// registry the composition root passed in). Registered only when the app was given one.

import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.js";

export function registerMetricsRoute(app: Hono<AppEnv>, deps: AppDeps): void {
  const registry = deps.metrics;
  if (registry === undefined) return;
  app.get("/metrics", async (c) => {
    const text = await registry.metrics();
    c.header("cache-control", "no-store");
    return c.body(text, 200, { "content-type": registry.contentType });
  });
}
