import { describe, expect, test } from "vitest";
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

function app(records: RecordStatus[]) {
  const status = () => records;
  return createStatusApp({ status, registry: createAgentMetrics(status), version: "9.9.9" });
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
