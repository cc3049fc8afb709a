// What the status page shows about a record between cycles: its last report, last success and
// failure count (a Tally, which each recorded report advances), read with its memory and next run as
// a RecordStatus. Pure.

import type { AgentRecord } from "./agent-record.js";
import { isHealthy, type CycleReport, type RecordStatus } from "./record-state.js";
import { stoppedByFatal } from "./transition.js";
import type { RecordMemory } from "../state-file.js";

export interface Tally {
  readonly last: CycleReport | undefined;
  /** Last report that ended healthy. */
  readonly lastSuccessAt: number | undefined;
  readonly failuresTotal: number;
}

export const emptyTally: Tally = { last: undefined, lastSuccessAt: undefined, failuresTotal: 0 };

/** `failed`: the report counts as a failure (transition.ts). */
export function tallied(t: Tally, report: CycleReport, failed: boolean): Tally {
  return {
    last: report,
    lastSuccessAt: isHealthy(report.outcome) ? report.at : t.lastSuccessAt,
    failuresTotal: t.failuresTotal + (failed ? 1 : 0),
  };
}

/** Before its first cycle a record is `pending`, or `stopped` when an earlier fatal reply holds it. */
export function recordStatus(
  record: AgentRecord,
  memory: RecordMemory | undefined,
  tally: Tally,
  nextRunAt: number | undefined,
): RecordStatus {
  const cfg = record.config;
  const last = tally.last;
  const outcome = last?.outcome ?? (stoppedByFatal(memory, cfg.fingerprint) ? "stopped" : "pending");
  return {
    fqdn: cfg.fqdn,
    type: cfg.type,
    target: cfg.target,
    outcome,
    healthy: isHealthy(outcome),
    detail:
      last?.detail ??
      (outcome === "stopped" ? `stopped after ${memory?.fatal?.code ?? "a fatal reply"}` : "not run yet"),
    published: memory?.published?.values,
    publishedAt: memory?.published?.at,
    lastRunAt: last?.at,
    lastSuccessAt: tally.lastSuccessAt,
    failuresTotal: tally.failuresTotal,
    detection: last?.detection,
    sources: last?.sources,
    nextRunAt,
  };
}
