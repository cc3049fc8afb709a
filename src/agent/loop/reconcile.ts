// One cycle of one record: detect → desired values → compare with what was last published (and, on a
// verification cycle, with the live record) → publish only when they differ. Returns what happened;
// it changes nothing itself (the loop applies the report to memory, notifications and the schedule).

import type { Clock } from "../../core/clock.js";
import type { HostPort } from "../../config/server-config.js";
import { sameValues } from "../../core/records.js";
import type { AgentRecord } from "./agent-record.js";
import { resolveBind } from "./bind.js";
import { deadline } from "./deadline.js";
import type { DetectOptions, Verdict } from "../detect/verdict.js";
import type { IpSource } from "../detect/types.js";
import { desiredValues } from "./desired.js";
import type { ReadInterfaces } from "../system/types.js";
import type { DnsQuery } from "../../dns/client/ports.js";
import { summarize, type CycleOutcome, type CycleReport } from "./record-state.js";
import type { Timers } from "../../core/timers.js";
import type { RecordMemory } from "../state-file.js";
import type { PublishResult } from "../targets/types.js";
import { liveValues } from "./verify.js";

export type Detect = (sources: readonly IpSource[], opts: DetectOptions) => Promise<Verdict>;

export interface ReconcileDeps {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly detect: Detect;
  readonly readInterfaces: ReadInterfaces;
  readonly dnsQuery: DnsQuery;
  readonly verifyResolver: HostPort | undefined;
  /** Upper bound for one publish call and for one verification query. */
  readonly publishTimeoutMs: number;
}

export interface CycleRequest {
  readonly record: AgentRecord;
  readonly memory: RecordMemory | undefined;
  /** Compare with the live record too (every verify_every-th cycle). */
  readonly verify: boolean;
  /** Publish even when unchanged, and even when stopped by a fatal result (`beacon update --force`). */
  readonly force: boolean;
  /** Detect and decide, never publish. */
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
}

/** Never throws. */
export async function reconcile(req: CycleRequest, deps: ReconcileDeps): Promise<CycleReport> {
  const { record, memory } = req;
  const cfg = record.config;
  const previous = memory?.published?.values;
  // Filled in as the cycle learns them; every report carries what is known so far.
  const seen: {
    detection?: CycleReport["detection"];
    sources?: CycleReport["sources"];
    desired?: readonly string[];
    live?: readonly string[];
  } = {};
  const report = (outcome: CycleOutcome, detail: string, result?: PublishResult): CycleReport => ({
    fqdn: cfg.fqdn,
    type: cfg.type,
    target: cfg.target,
    outcome,
    detail,
    detection: seen.detection,
    sources: seen.sources,
    desired: seen.desired,
    previous,
    live: seen.live,
    result,
    at: deps.clock(),
  });

  const fatal = memory?.fatal;
  if (fatal !== undefined && fatal.fingerprint === cfg.fingerprint && !req.force)
    return report(
      "stopped",
      `stopped after ${fatal.code}: ${fatal.detail} (fix the configuration, then reload)`,
    );
  const notBefore = memory?.notBefore;
  if (notBefore !== undefined && notBefore > deps.clock() && !req.force)
    return report("waiting", `the service asked to wait until ${new Date(notBefore).toISOString()}`);

  const family = cfg.type === "A" ? 4 : 6;
  const bind = await resolveBind(cfg.bind, family, deps.readInterfaces);
  if (!bind.ok) return report("error", bind.detail);

  const verdict = await deps.detect(record.sources, {
    family,
    quorum: cfg.quorum,
    timeoutMs: cfg.timeoutMs,
    allowNonGlobal: cfg.allowNonGlobal,
    localAddress: bind.localAddress,
    ownRanges: record.ownRanges,
    signal: req.signal,
  });
  seen.detection = summarize(verdict);
  seen.sources = verdict.report;
  if (verdict.status !== "agreed") return report(verdict.status, describeVerdict(verdict));
  const want = desiredValues(verdict.ip, cfg.ipv6Host);
  if (!want.ok) return report("error", want.detail);
  const desired = want.values;
  seen.desired = desired;

  let reason: string;
  if (req.force) reason = "forced";
  else if (!sameValues(desired, previous))
    reason = previous === undefined ? "nothing published yet" : `changed from ${previous.join(",")}`;
  else if (req.verify) {
    const d = deadline(req.signal, deps.publishTimeoutMs, deps.timers);
    try {
      seen.live = await liveValues({
        fqdn: cfg.fqdn,
        type: cfg.type,
        target: record.target,
        dnsQuery: deps.dnsQuery,
        resolver: deps.verifyResolver,
        signal: d.signal,
      });
    } finally {
      d.done();
    }
    const live = seen.live;
    if (live === undefined)
      return report("unchanged", `${desired.join(",")} unchanged (live record could not be read)`);
    if (sameValues(live, desired)) return report("verified", `${desired.join(",")} unchanged and live`);
    reason = `drift: the live record holds ${live.length === 0 ? "nothing" : live.join(",")}`;
  } else return report("unchanged", `${desired.join(",")} unchanged`);

  if (req.dryRun) return report("would_publish", `would publish ${desired.join(",")} (${reason})`);
  const d = deadline(req.signal, deps.publishTimeoutMs, deps.timers);
  let result: PublishResult;
  try {
    result = await record.target.publish({
      fqdn: cfg.fqdn,
      type: cfg.type,
      values: desired,
      ttl: cfg.ttl,
      localAddress: bind.localAddress,
      signal: d.signal,
    });
  } catch (e) {
    // The port says publish never throws; a target that does is treated as transient.
    result = { status: "retry", code: "exception", detail: e instanceof Error ? e.message : String(e) };
  } finally {
    d.done();
  }
  const code = result.status === "updated" || result.status === "noop" ? "" : ` [${result.code}]`;
  return report(result.status, `${desired.join(",")} (${reason}): ${result.detail}${code}`, result);
}

function describeVerdict(v: Exclude<Verdict, { status: "agreed" }>): string {
  const said = v.report.map((r) => `${r.id}: ${r.detail}`).join("; ");
  if (v.status === "disagreed")
    return `sources disagree (${v.candidates.map((c) => `${c.ip.text}×${c.votes}`).join(" vs ")}): ${said}`;
  const best = v.candidates[0];
  const have = best === undefined ? "no usable answer" : `${best.ip.text} has ${best.votes} vote(s)`;
  return `no quorum of ${v.quorum} (${have}): ${said}`;
}
