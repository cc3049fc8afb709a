// What the page shows about records, in the JSON shapes of the agent API (docs/agent/ui.md): times as
// ISO strings or null, every source's answer and the verdict. Pure.

import type { SourceReport } from "../detect/verdict.js";
import type { CycleReport, DetectionSummary, RecordStatus } from "../loop/record-state.js";

export interface SourceView {
  readonly id: string;
  readonly operator: string;
  readonly address: string | null;
  readonly accepted: boolean;
  readonly rejection: string | null;
  readonly detail: string;
  readonly elapsedMs: number;
}

export interface VerdictView {
  readonly status: DetectionSummary["status"];
  readonly votes: number;
  readonly quorum: number;
  /** The agreed address, or the candidates when they disagreed or fell short of the quorum. */
  readonly addresses: readonly string[];
  readonly sources: readonly SourceView[];
}

export interface RecordView {
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  readonly target: string;
  readonly outcome: RecordStatus["outcome"];
  readonly healthy: boolean;
  readonly detail: string;
  readonly published: readonly string[] | null;
  readonly publishedAt: string | null;
  readonly lastRunAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly nextRunAt: string | null;
  readonly failuresTotal: number;
  readonly verdict: VerdictView | null;
}

export function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

export function sourceView(r: SourceReport): SourceView {
  return {
    id: r.id,
    operator: r.operator,
    address: r.observation.ok ? r.observation.ip.text : null,
    accepted: r.accepted,
    rejection: r.rejection ?? null,
    detail: r.detail,
    elapsedMs: r.elapsedMs,
  };
}

/** null when the cycle did not get as far as detecting. */
export function verdictView(
  detection: DetectionSummary | undefined,
  sources: readonly SourceReport[] | undefined,
): VerdictView | null {
  if (detection === undefined) return null;
  return {
    status: detection.status,
    votes: detection.votes,
    quorum: detection.quorum,
    addresses: detection.addresses,
    sources: (sources ?? []).map(sourceView),
  };
}

export function recordView(s: RecordStatus): RecordView {
  return {
    fqdn: s.fqdn,
    type: s.type,
    target: s.target,
    outcome: s.outcome,
    healthy: s.healthy,
    detail: s.detail,
    published: s.published ?? null,
    publishedAt: iso(s.publishedAt),
    lastRunAt: iso(s.lastRunAt),
    lastSuccessAt: iso(s.lastSuccessAt),
    nextRunAt: iso(s.nextRunAt),
    failuresTotal: s.failuresTotal,
    verdict: verdictView(s.detection, s.sources),
  };
}

export interface DryRunRecordView {
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  readonly target: string;
  readonly outcome: CycleReport["outcome"];
  readonly verdict: VerdictView | null;
  /** The values a real cycle would send now; null when it would send nothing. */
  readonly wouldPublish: readonly string[] | null;
  /** What the running agent last published for this record (null: nothing yet, or a new record). */
  readonly current: readonly string[] | null;
  readonly detail: string;
}

export function dryRunView(r: CycleReport): DryRunRecordView {
  return {
    fqdn: r.fqdn,
    type: r.type,
    target: r.target,
    outcome: r.outcome,
    verdict: verdictView(r.detection, r.sources),
    wouldPublish: r.outcome === "would_publish" ? (r.desired ?? null) : null,
    current: r.previous ?? null,
    detail: r.detail,
  };
}
