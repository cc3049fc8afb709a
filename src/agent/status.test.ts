import { describe, expect, test } from "vitest";
import type { HeartbeatStatus } from "./heartbeat/sender.js";
import { createAgentMetrics } from "./metrics.js";
import type { RecordStatus } from "./loop/record-state.js";
import { createStatusApp } from "./status.js";

const T = 1_700_000_000_000;

function rec(over: Partial<RecordStatus>): RecordStatus {
  return {
    fqdn: "home.example.com",
    type: "A",
    target: "home",
    outcome: "unchanged",
    healthy: true,
    detail: "81.2.69.160 unchanged",
    published: ["81.2.69.160"],
    publishedAt: T,
    lastRunAt: T + 1000,
    lastSuccessAt: T + 1000,
    failuresTotal: 0,
    detection: { status: "agreed", votes: 3, quorum: 2, asked: 4, addresses: ["81.2.69.160"] },
    sources: undefined,
    nextRunAt: undefined,
    ...over,
  };
}

function beat(over: Partial<HeartbeatStatus>): HeartbeatStatus {
  return {
    fqdn: "line1.example.com",
    type: "A",
    target: "home",
    intervalMs: 10_000,
    outcome: "ok",
    code: undefined,
    detail: "heartbeat line1.example.com: accepted",
    pools: ["www"],
    lastOkAt: T,
    nextAt: T + 10_000,
    sentTotal: 7,
    failuresTotal: 2,
    ...over,
  };
}

function app(records: RecordStatus[], beats?: HeartbeatStatus[]) {
  const status = () => records;
  const heartbeats = beats === undefined ? undefined : () => beats;
  return createStatusApp({
    status,
    ...(heartbeats === undefined ? {} : { heartbeats }),
    registry: createAgentMetrics(status, heartbeats),
    version: "9.9.9",
  });
}

describe("status app", () => {
  test("/healthz is 200 when every record is fine (pending counts as fine)", async () => {
    const res = await app([
      rec({}),
      rec({ fqdn: "new.example.com", outcome: "pending", published: undefined }),
    ]).request("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { status: string; records: { fqdn: string; outcome: string }[] };
    expect(body.status).toBe("ok");
    expect(body.records.map((r) => [r.fqdn, r.outcome])).toEqual([
      ["home.example.com", "unchanged"],
      ["new.example.com", "pending"],
    ]);
  });

  test("/healthz is 503 listing only the failing records and why", async () => {
    const res = await app([
      rec({}),
      rec({ fqdn: "v6.example.com", type: "AAAA", outcome: "fatal", healthy: false, detail: "badauth" }),
    ]).request("/healthz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "failing",
      failing: [
        {
          fqdn: "v6.example.com",
          type: "AAAA",
          target: "home",
          outcome: "fatal",
          detail: "badauth",
          published: ["81.2.69.160"],
          last_success: new Date(T + 1000).toISOString(),
        },
      ],
    });
  });

  test("/metrics: address, last success, failures, agreement, verdict, per record", async () => {
    const res = await app([
      rec({}),
      rec({
        fqdn: "b.example.com",
        outcome: "disagreed",
        healthy: false,
        failuresTotal: 4,
        lastSuccessAt: undefined,
        published: undefined,
        detection: {
          status: "disagreed",
          votes: 1,
          quorum: 2,
          asked: 2,
          addresses: ["81.2.69.1", "81.2.69.2"],
        },
      }),
    ]).request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    const a = 'fqdn="home.example.com",type="A",target="home"';
    const b = 'fqdn="b.example.com",type="A",target="home"';
    for (const line of [
      `beacon_agent_record_healthy{${a}} 1`,
      `beacon_agent_record_healthy{${b}} 0`,
      `beacon_agent_record_address_info{${a},address="81.2.69.160"} 1`,
      `beacon_agent_last_success_timestamp_seconds{${a}} ${(T + 1000) / 1000}`,
      `beacon_agent_failures_total{${a}} 0`,
      `beacon_agent_failures_total{${b}} 4`,
      `beacon_agent_source_votes{${a}} 3`,
      `beacon_agent_sources_asked{${a}} 4`,
      `beacon_agent_verdict{${b},status="disagreed"} 1`,
      `beacon_agent_verdict{${b},status="agreed"} 0`,
      `beacon_agent_record_outcome{${b},outcome="disagreed"} 1`,
    ])
      expect(text.split("\n")).toContain(line);
    expect(text).not.toContain(`beacon_agent_last_success_timestamp_seconds{${b}}`);
    expect(text).not.toContain(`address_info{${b}`);
  });

  test("heartbeats: listed in /healthz without failing it, and in /metrics", async () => {
    const beats = [
      beat({}),
      beat({
        fqdn: "line2.example.com",
        outcome: "refused",
        code: "forbidden",
        detail: "heartbeat line2.example.com: HTTP 403 forbidden: no",
        lastOkAt: undefined,
        failuresTotal: 3,
      }),
    ];
    const health = await app([rec({})], beats).request("/healthz");
    expect(health.status).toBe(200);
    const body = (await health.json()) as { heartbeats: unknown[] };
    expect(body.heartbeats).toEqual([
      {
        fqdn: "line1.example.com",
        type: "A",
        target: "home",
        outcome: "ok",
        code: null,
        detail: "heartbeat line1.example.com: accepted",
        pools: ["www"],
        last_ok: new Date(T).toISOString(),
        next: new Date(T + 10_000).toISOString(),
        failures: 2,
      },
      expect.objectContaining({
        fqdn: "line2.example.com",
        outcome: "refused",
        code: "forbidden",
        last_ok: null,
      }),
    ]);
    const text = (await (await app([rec({})], beats).request("/metrics")).text()).split("\n");
    const one = 'fqdn="line1.example.com",type="A",target="home"';
    const two = 'fqdn="line2.example.com",type="A",target="home"';
    for (const line of [
      `beacon_agent_heartbeat_ok{${one}} 1`,
      `beacon_agent_heartbeat_ok{${two}} 0`,
      `beacon_agent_heartbeat_ok_timestamp_seconds{${one}} ${T / 1000}`,
      `beacon_agent_heartbeats_total{${one}} 7`,
      `beacon_agent_heartbeat_failures_total{${two}} 3`,
    ])
      expect(text).toContain(line);
    expect(text.join("\n")).not.toContain(`beacon_agent_heartbeat_ok_timestamp_seconds{${two}}`);
    // Without heartbeats, /healthz has no such field.
    expect(await (await app([rec({})]).request("/healthz")).json()).not.toHaveProperty("heartbeats");
  });

  test("each agent has its own registry: two apps do not share series", async () => {
    const one = await app([rec({ fqdn: "one.example.com" })]).request("/metrics");
    const two = await app([rec({ fqdn: "two.example.com" })]).request("/metrics");
    expect(await one.text()).not.toContain("two.example.com");
    expect(await two.text()).not.toContain("one.example.com");
  });

  test("unknown paths are 404", async () => {
    expect((await app([]).request("/nope")).status).toBe(404);
  });

  test("every answer says X-Content-Type-Options: nosniff (health, metrics, 404)", async () => {
    for (const path of ["/healthz", "/metrics", "/nope"]) {
      const res = await app([rec({})]).request(path);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });
});
