// The agent's local status port (a Hono app; src/cli serves it):
//   GET /healthz → 200 {"status":"ok", records:[…]} when every record's last cycle succeeded or had
//                  nothing to do (records not run yet count as fine); else 503 {"status":"failing"}
//                  listing the failing records and why. Both list `heartbeats` when records send
//                  them (a failing heartbeat is the line's news, not the agent's: it does not 503).
//   GET /metrics → Prometheus text from the agent's own Registry.
// Both stay open (no password, no Host check) for monitoring. With `page`, the same app also serves
// the local page and its API (ui/page-app.ts, docs/agent/ui.md).

import { Hono } from "hono";
import type { Registry } from "prom-client";
import { securityHeaders } from "../http/middleware/security-headers.js";
import type { HeartbeatStatus } from "./heartbeat/sender.js";
import type { RecordStatus } from "./loop/record-state.js";
import { registerPage, type PageDeps } from "./ui/page-app.js";

export interface StatusDeps {
  readonly status: () => readonly RecordStatus[];
  readonly heartbeats?: () => readonly HeartbeatStatus[];
  readonly registry: Registry;
  readonly version: string;
  /** The local page; without it only /healthz and /metrics are served. */
  readonly page?: PageDeps;
}

export function createStatusApp(deps: StatusDeps): Hono {
  const app = new Hono();
  app.use("*", securityHeaders());
  app.use("*", async (c, next) => {
    await next();
    c.header("cache-control", "no-store");
    c.header("x-beacon-version", deps.version);
  });
  app.get("/healthz", (c) => {
    const records = deps.status();
    const failing = records.filter((r) => !r.healthy);
    const view = (r: RecordStatus) => ({
      fqdn: r.fqdn,
      type: r.type,
      target: r.target,
      outcome: r.outcome,
      detail: r.detail,
      published: r.published ?? null,
      last_success: r.lastSuccessAt === undefined ? null : new Date(r.lastSuccessAt).toISOString(),
    });
    const beats = deps.heartbeats?.() ?? [];
    const extra = beats.length === 0 ? {} : { heartbeats: beats.map(heartbeatView) };
    if (failing.length > 0) return c.json({ status: "failing", failing: failing.map(view), ...extra }, 503);
    return c.json({ status: "ok", records: records.map(view), ...extra });
  });
  app.get("/metrics", async (c) => {
    const text = await deps.registry.metrics();
    return c.text(text, 200, { "content-type": deps.registry.contentType });
  });
  if (deps.page !== undefined) registerPage(app, deps.page);
  app.notFound((c) => c.json({ error: "not found", paths: ["/healthz", "/metrics"] }, 404));
  return app;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function heartbeatView(h: HeartbeatStatus) {
  return {
    fqdn: h.fqdn,
    type: h.type,
    target: h.target,
    outcome: h.outcome,
    code: h.code ?? null,
    detail: h.detail,
    pools: h.pools,
    last_ok: iso(h.lastOkAt),
    next: iso(h.nextAt),
    failures: h.failuresTotal,
  };
}
