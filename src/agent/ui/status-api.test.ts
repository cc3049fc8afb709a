import { describe, expect, test } from "vitest";
import { parseIp } from "../../core/ip.js";
import type { SourceReport } from "../detect/verdict.js";
import type { RecordStatus } from "../loop/record-state.js";
import { csrfOf, T0, usePages } from "./testing/page.js";

const page = usePages();

function report(id: string, answer: string | undefined, over: Partial<SourceReport> = {}): SourceReport {
  const ip = answer === undefined ? undefined : parseIp(answer);
  return {
    id,
    operator: id,
    observation:
      ip === undefined
        ? { ok: false, reason: "timeout", detail: "no answer within 5000 ms" }
        : { ok: true, ip },
    accepted: ip !== undefined,
    rejection: ip === undefined ? "timeout" : undefined,
    detail: ip === undefined ? "timeout: no answer within 5000 ms" : `reported ${ip.text}`,
    elapsedMs: 12,
    ...over,
  };
}

const RECORD: RecordStatus = {
  fqdn: "home.example.com",
  type: "A",
  target: "server",
  outcome: "updated",
  healthy: true,
  detail: "81.2.69.160 (nothing published yet): updated",
  published: ["81.2.69.160"],
  publishedAt: T0,
  lastRunAt: T0 + 1000,
  lastSuccessAt: T0 + 1000,
  failuresTotal: 2,
  detection: { status: "agreed", votes: 2, quorum: 2, asked: 4, addresses: ["81.2.69.160"] },
  sources: [
    report("one", "81.2.69.160"),
    report("two", "81.2.69.160"),
    report("liar", "192.168.1.20", {
      accepted: false,
      rejection: "not_global",
      detail: "not_global: private",
    }),
    report("slow", undefined),
  ],
  nextRunAt: T0 + 61_000,
};

describe("GET /api/status", () => {
  test("every record with every source's answer and the verdict; times as ISO or null", async () => {
    const p = page({
      status: [
        RECORD,
        {
          ...RECORD,
          fqdn: "new.example.com",
          outcome: "pending",
          published: undefined,
          publishedAt: undefined,
          lastRunAt: undefined,
          lastSuccessAt: undefined,
          detection: undefined,
          sources: undefined,
          nextRunAt: undefined,
          failuresTotal: 0,
        },
      ],
    });
    const res = await p.request("/api/status");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      version: "9.9.9",
      configFile: p.file,
      intervalSeconds: 60,
      records: [
        {
          fqdn: "home.example.com",
          type: "A",
          target: "server",
          outcome: "updated",
          healthy: true,
          detail: RECORD.detail,
          published: ["81.2.69.160"],
          publishedAt: new Date(T0).toISOString(),
          lastRunAt: new Date(T0 + 1000).toISOString(),
          lastSuccessAt: new Date(T0 + 1000).toISOString(),
          nextRunAt: new Date(T0 + 61_000).toISOString(),
          failuresTotal: 2,
          verdict: {
            status: "agreed",
            votes: 2,
            quorum: 2,
            addresses: ["81.2.69.160"],
            sources: [
              {
                id: "one",
                operator: "one",
                address: "81.2.69.160",
                accepted: true,
                rejection: null,
                detail: "reported 81.2.69.160",
                elapsedMs: 12,
              },
              {
                id: "two",
                operator: "two",
                address: "81.2.69.160",
                accepted: true,
                rejection: null,
                detail: "reported 81.2.69.160",
                elapsedMs: 12,
              },
              {
                id: "liar",
                operator: "liar",
                address: "192.168.1.20",
                accepted: false,
                rejection: "not_global",
                detail: "not_global: private",
                elapsedMs: 12,
              },
              {
                id: "slow",
                operator: "slow",
                address: null,
                accepted: false,
                rejection: "timeout",
                detail: "timeout: no answer within 5000 ms",
                elapsedMs: 12,
              },
            ],
          },
        },
        {
          fqdn: "new.example.com",
          type: "A",
          target: "server",
          outcome: "pending",
          healthy: true,
          detail: RECORD.detail,
          published: null,
          publishedAt: null,
          lastRunAt: null,
          lastSuccessAt: null,
          nextRunAt: null,
          failuresTotal: 0,
          verdict: null,
        },
      ],
    });
  });

  test("/healthz and /metrics are unchanged and need no Host, password or token", async () => {
    const p = page({ scope: "private", listenHost: "192.168.1.5", status: [RECORD] });
    const health = await p.app.request("/healthz", { headers: { host: "evil.example" } });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe("ok");
    const metrics = await p.app.request("/metrics", { headers: { host: "evil.example" } });
    expect(metrics.status).toBe(200);
    expect(await p.request("/api/status")).toHaveProperty("status", 403);
  });
});

describe("POST /api/check-now", () => {
  test("202 and runs every record now; needs a session and its CSRF token", async () => {
    const p = page();
    const anonymous = await p.request("/api/check-now", { method: "POST" });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe("setup_required");
    const csrf = await csrfOf(p);
    const refused = await p.request("/api/check-now", { method: "POST" });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("csrf_failed");
    expect(p.calls.runNow).toBe(0);
    const res = await p.request("/api/check-now", { method: "POST", csrf });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({});
    expect(p.calls.runNow).toBe(1);
  });

  test("GET /api/check-now and unknown API paths are problem+json 404, never a page", async () => {
    const p = page();
    await csrfOf(p);
    for (const path of ["/api/check-now", "/api/nope", "/api/status/x"]) {
      const res = await p.request(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
  });
});
