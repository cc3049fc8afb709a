// Prometheus metrics of one agent, on a Registry of its own (never prom-client's global one, so
// several agents or tests in one process do not collide). Values are read from the loop's status at
// scrape time: nothing to keep in step.

import { Counter, Gauge, Registry } from "prom-client";
import type { RecordStatus } from "./loop/record-state.js";

const LABELS = ["fqdn", "type", "target"] as const;
const VERDICTS = ["agreed", "disagreed", "insufficient"] as const;

export function createAgentMetrics(status: () => readonly RecordStatus[]): Registry {
  const registry = new Registry();
  const labels = (s: RecordStatus) => ({ fqdn: s.fqdn, type: s.type, target: s.target });
  const gauge = (
    name: string,
    help: string,
    set: (g: Gauge, s: RecordStatus) => void,
    extra: string[] = [],
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [...LABELS, ...extra],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of status()) set(this, s);
      },
    });

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
  new Counter({
    name: "beacon_agent_failures_total",
    help: "Cycles of the record that failed (detection, publish or configuration)",
    labelNames: [...LABELS],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of status()) this.inc(labels(s), s.failuresTotal);
    },
  });
  return registry;
}
