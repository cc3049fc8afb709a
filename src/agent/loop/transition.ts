// What a cycle's report means for the record's memory, and which notifications it implies:
// `change` when published values changed, `failure` once per failure episode (and always for a fatal
// stop), `recovered` when a failing record works again. Pure.

import { sameValues } from "../../core/records.js";
import type { AgentEvent } from "../notify/types.js";
import { requestedWaitMs } from "./backoff.js";
import { isHealthy, type CycleReport } from "./record-state.js";
import type { RecordMemory } from "../state-file.js";

export interface Transition {
  readonly memory: RecordMemory | undefined;
  readonly events: readonly AgentEvent[];
  /** True when the report counts as a failure (metrics' failures_total). */
  readonly failed: boolean;
}

/** True when an earlier fatal reply stopped the record and its configuration has not changed since. */
export function stoppedByFatal(memory: RecordMemory | undefined, fingerprint: string): boolean {
  return memory?.fatal?.fingerprint === fingerprint;
}

/** `fingerprint`: the record's configuration now (a fatal stop holds until it changes). */
export function applyReport(
  before: RecordMemory | undefined,
  report: CycleReport,
  fingerprint: string,
): Transition {
  const at = report.at;
  const event = (kind: AgentEvent["kind"], values = report.desired): AgentEvent => ({
    kind,
    fqdn: report.fqdn,
    type: report.type,
    old: report.previous,
    new: values,
    status: report.outcome,
    detail: report.detail,
    target: report.target,
    at,
  });
  if (report.outcome === "stopped" || report.outcome === "waiting" || report.outcome === "would_publish")
    return { memory: before, events: [], failed: false };

  if (isHealthy(report.outcome)) {
    const events: AgentEvent[] = [];
    let published = before?.published;
    if (report.outcome === "updated" || report.outcome === "noop") {
      if (report.desired !== undefined) published = { values: report.desired, at };
      if (!sameValues(report.previous, report.desired)) events.push(event("change"));
    }
    if (before?.failingSince !== undefined) events.push(event("recovered"));
    // A healthy cycle means any fatal stop was lifted (new configuration, or a forced publish that worked).
    return { memory: compact({ published }), events, failed: false };
  }

  const newEpisode = before?.failingSince === undefined;
  const failingSince = before?.failingSince ?? at;
  const failure = event("failure", report.desired ?? report.detection?.addresses);
  const base = { published: before?.published, failingSince };
  switch (report.outcome) {
    case "fatal": {
      const r = report.result;
      const code = r !== undefined && r.status === "fatal" ? r.code : "fatal";
      const detail = r?.detail ?? report.detail;
      return {
        memory: compact({ ...base, fatal: { code, detail, fingerprint, at } }),
        events: [failure],
        failed: true,
      };
    }
    case "backoff":
      return {
        // How long the service asked us to wait (backoff.ts).
        memory: compact({ ...base, notBefore: at + requestedWaitMs(report.result) }),
        events: newEpisode ? [failure] : [],
        failed: true,
      };
    default:
      return { memory: compact(base), events: newEpisode ? [failure] : [], failed: true };
  }
}

function compact(m: RecordMemory): RecordMemory | undefined {
  const out: { -readonly [K in keyof RecordMemory]: RecordMemory[K] } = {};
  if (m.published !== undefined) out.published = m.published;
  if (m.fatal !== undefined) out.fatal = m.fatal;
  if (m.notBefore !== undefined) out.notBefore = m.notBefore;
  if (m.failingSince !== undefined) out.failingSince = m.failingSince;
  return Object.keys(out).length === 0 ? undefined : out;
}
