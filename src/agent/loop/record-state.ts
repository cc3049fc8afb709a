// What one cycle of one record did (CycleReport) and what the agent shows about a record between
// cycles (RecordStatus). Status endpoint, metrics, notifications and `beacon update` all read these.

import type { SourceReport, Verdict } from "../detect/verdict.js";
import type { PublishResult } from "../targets/types.js";

export type CycleOutcome =
  /** Detected values equal the last published ones: nothing sent. */
  | "unchanged"
  /** Verification cycle: the live record matches. */
  | "verified"
  /** Published; the service changed the record. */
  | "updated"
  /** Published; the service already had these values. */
  | "noop"
  /** --dry-run: would have published. */
  | "would_publish"
  | "fatal"
  | "backoff"
  | "retry"
  | "disagreed"
  | "insufficient"
  /** Not attempted: stopped by an earlier fatal result until the configuration changes. */
  | "stopped"
  /** Not attempted: waiting out a backoff the service asked for. */
  | "waiting"
  /** The record could not be worked on (e.g. its bound interface has no address). */
  | "error";

const HEALTHY: ReadonlySet<CycleOutcome> = new Set([
  "unchanged",
  "verified",
  "updated",
  "noop",
  "would_publish",
]);

export function isHealthy(outcome: CycleOutcome | "pending"): boolean {
  return outcome === "pending" || HEALTHY.has(outcome);
}

/** Source agreement in one cycle: independent sources agreeing on the best address, out of those asked. */
export interface DetectionSummary {
  readonly status: Verdict["status"];
  readonly votes: number;
  readonly quorum: number;
  readonly asked: number;
  /** The agreed address, or the candidates when they disagreed. */
  readonly addresses: readonly string[];
}

export function summarize(v: Verdict): DetectionSummary {
  const addresses = v.status === "agreed" ? [v.ip.text] : v.candidates.map((c) => c.ip.text);
  const votes = v.status === "agreed" ? v.votes : (v.candidates[0]?.votes ?? 0);
  return { status: v.status, votes, quorum: v.quorum, asked: v.report.length, addresses };
}

export interface CycleReport {
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  readonly target: string;
  readonly outcome: CycleOutcome;
  /** One human line: what happened and why. */
  readonly detail: string;
  readonly detection: DetectionSummary | undefined;
  /** Every source's answer and its judgement in this cycle's detection (undefined: not detected). */
  readonly sources: readonly SourceReport[] | undefined;
  /** The values the agent wants published (after IPv6 suffix/MAC), when detection agreed. */
  readonly desired: readonly string[] | undefined;
  /** The values last published before this cycle. */
  readonly previous: readonly string[] | undefined;
  /** Values found in the live record on a verification cycle (undefined: not checked or unreadable). */
  readonly live: readonly string[] | undefined;
  readonly result: PublishResult | undefined;
  readonly at: number;
}

export interface RecordStatus {
  readonly fqdn: string;
  readonly type: "A" | "AAAA";
  readonly target: string;
  readonly outcome: CycleOutcome | "pending";
  readonly healthy: boolean;
  readonly detail: string;
  readonly published: readonly string[] | undefined;
  readonly publishedAt: number | undefined;
  readonly lastRunAt: number | undefined;
  /** Last cycle that ended healthy. */
  readonly lastSuccessAt: number | undefined;
  readonly failuresTotal: number;
  readonly detection: CycleReport["detection"];
  /** Every source's answer in the last cycle that detected (the status page shows them). */
  readonly sources: CycleReport["sources"];
  readonly nextRunAt: number | undefined;
}
