// Prometheus metrics of one agent, on a Registry of its own (never prom-client's global one, so
// several agents or tests in one process do not collide). Values are read from the loop's status at
// scrape time: nothing to keep in step. Heartbeats (heartbeat/sender.ts) carry the same labels as
// their record.

import { Counter, Gauge, Registry } from "prom-client";
import type { HeartbeatStatus } from "./heartbeat/sender.js";
import type { RecordStatus } from "./loop/record-state.js";

const LABELS = ["fqdn", "type", "target"] as const;
const VERDICTS = ["agreed", "disagreed", "insufficient"] as const;

type Labelled = Pick<RecordStatus, "fqdn" | "type" | "target">;
const labels = (s: Labelled) => ({ fqdn: s.fqdn, type: s.type, target: s.target });

export function createAgentMetrics(
  status: () => readonly RecordStatus[],
  heartbeats: () => readonly HeartbeatStatus[] = () => [],
): Registry {
  const registry = new Registry();
  const gaugeOf =
    <S extends Labelled>(list: () => readonly S[]) =>
    (name: string, help: string, set: (g: Gauge, s: S) => void, extra: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames: [...LABELS, ...extra],
        registers: [registry],
        collect() {
          this.reset();
          for (const s of list()) set(this, s);
        },
      });
  const counterOf =
    <S extends Labelled>(list: () => readonly S[]) =>
    (name: string, help: string, value: (s: S) => number) =>
      new Counter({
        name,
        help,
        labelNames: [...LABELS],
        registers: [registry],
        collect() {
          this.reset();
          for (const s of list()) this.inc(labels(s), value(s));
        },
      });
  const gauge = gaugeOf(status);

  gauge(
    "beacon_agent_record_healthy",
    "1 when the record's last cycle succeeded or had nothing to do",
    (g, s) => g.set(labels(s), s.healthy ? 1 : 0),
  );
  gauge(
    "beacon_agent_record_address_info",
    "The address last published for the record (value always 1)",
    (g, s) => {
      for (const address of s.published ?? []) g.set({ ...labels(s), address }, 1);
    },
    ["address"],
  );
  gauge(
    "beacon_agent_record_outcome",
    "What the record's last cycle did (value always 1)",
    (g, s) => g.set({ ...labels(s), outcome: s.outcome }, 1),
    ["outcome"],
  );
  gauge("beacon_agent_last_success_timestamp_seconds", "When the record's last cycle succeeded", (g, s) => {
    if (s.lastSuccessAt !== undefined) g.set(labels(s), s.lastSuccessAt / 1000);
  });
  gauge(
    "beacon_agent_published_timestamp_seconds",
    "When the record's current values were published",
    (g, s) => {
      if (s.publishedAt !== undefined) g.set(labels(s), s.publishedAt / 1000);
    },
  );
  gauge(
    "beacon_agent_source_votes",
    "Independent sources that agreed on the address in the last detection",
    (g, s) => {
      if (s.detection !== undefined) g.set(labels(s), s.detection.votes);
    },
  );
  gauge("beacon_agent_sources_asked", "Sources asked in the last detection", (g, s) => {
    if (s.detection !== undefined) g.set(labels(s), s.detection.asked);
  });
  gauge("beacon_agent_source_quorum", "Votes needed to accept an address", (g, s) => {
    if (s.detection !== undefined) g.set(labels(s), s.detection.quorum);
  });
  gauge(
    "beacon_agent_verdict",
    "Status of the last detection: 1 for the current status, 0 for the others",
    (g, s) => {
      if (s.detection === undefined) return;
      for (const v of VERDICTS) g.set({ ...labels(s), status: v }, s.detection.status === v ? 1 : 0);
    },
    ["status"],
  );
  counterOf(status)(
    "beacon_agent_failures_total",
    "Cycles of the record that failed (detection, publish or configuration)",
    (s) => s.failuresTotal,
  );

  const beat = gaugeOf(heartbeats);
  const beats = counterOf(heartbeats);
  beat("beacon_agent_heartbeat_ok", "1 when the record's last heartbeat was accepted", (g, s) =>
    g.set(labels(s), s.outcome === "ok" ? 1 : 0),
  );
  beat("beacon_agent_heartbeat_ok_timestamp_seconds", "When a heartbeat was last accepted", (g, s) => {
    if (s.lastOkAt !== undefined) g.set(labels(s), s.lastOkAt / 1000);
  });
  beats("beacon_agent_heartbeats_total", "Heartbeats sent (accepted or not)", (s) => s.sentTotal);
  beats(
    "beacon_agent_heartbeat_failures_total",
    "Heartbeats that failed or were refused",
    (s) => s.failuresTotal,
  );
  return registry;
}
