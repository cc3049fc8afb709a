import { Hono } from "hono";
import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { AppDeps, AppEnv } from "../deps.js";
import { registerMetricsRoute } from "./metrics.js";

function appWith(metrics: Registry | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  registerMetricsRoute(app, { metrics } as AppDeps);
  return app;
}

describe("GET /metrics", () => {
  it("serves the registry as Prometheus text", async () => {
    const registry = new Registry();
    new Counter({ name: "beacon_test_total", help: "a test counter", registers: [registry] }).inc(3);
    const res = await appWith(registry).request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toContain("beacon_test_total 3");
  });

  it("does not exist without a registry", async () => {
    expect((await appWith(undefined).request("/metrics")).status).toBe(404);
  });
});
