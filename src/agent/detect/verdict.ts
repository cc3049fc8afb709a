// Asking every source and deciding. An address is accepted only when enough INDEPENDENT sources
// (distinct operators) report it and no accepted source reports another one: disagreement is
// reported, never resolved by guessing. Every source's observation and its judgement go into the
// report (for `beacon ip`, the status page and metrics), so a lying source is visible as lying.

import ipaddr from "ipaddr.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { inCidr, isGlobalUnicast, parseIp, type IpFamily, type ParsedIp } from "../../core/ip.js";
import { failed, messageOf } from "./observe.js";
import type { FailureReason, IpSource, Observation } from "./types.js";

export interface DetectOptions {
  readonly family: IpFamily;
  /** Distinct operators that must report the same address. Default: 2, or all operators when fewer. */
  readonly quorum?: number | undefined;
  /** Per source; a source still running then is a `timeout` observation. */
  readonly timeoutMs: number;
  /** Accept private, CGNAT, loopback, link-local, ULA and documentation addresses (labs, LAN-only DNS). */
  readonly allowNonGlobal?: boolean | undefined;
  /** Multi-WAN: every source detects through this local address. */
  readonly localAddress?: string | undefined;
  /** Source id → CIDRs of that service's own addresses (see builtin.ts); a report inside them is rejected. */
  readonly ownRanges?: ReadonlyMap<string, readonly string[]> | undefined;
  /** Cancels every source (agent shutdown). */
  readonly signal?: AbortSignal | undefined;
}

export interface DetectDeps {
  readonly clock?: Clock;
  /** Default AbortSignal.timeout. */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
}

export type Rejection = FailureReason | "not_global" | "own_range";

export interface SourceReport {
  readonly id: string;
  readonly operator: string;
  readonly observation: Observation;
  /** True when the observation counted as a vote for its address. */
  readonly accepted: boolean;
  /** Why it did not count: the observation's failure reason, or the verdict's own judgement. */
  readonly rejection: Rejection | undefined;
  /** One line for people: the address voted for, or what was wrong. */
  readonly detail: string;
  readonly elapsedMs: number;
}

export interface Candidate {
  readonly ip: ParsedIp;
  /** Distinct operators that reported this address. */
  readonly votes: number;
  readonly operators: readonly string[];
  readonly sources: readonly string[];
}

export type Verdict =
  | {
      readonly status: "agreed";
      readonly ip: ParsedIp;
      readonly votes: number;
      readonly quorum: number;
      readonly report: readonly SourceReport[];
    }
  | {
      readonly status: "disagreed";
      /** Most votes first. */
      readonly candidates: readonly Candidate[];
      readonly quorum: number;
      readonly report: readonly SourceReport[];
    }
  | {
      readonly status: "insufficient";
      /** The single address reported, if any, with fewer votes than the quorum. */
      readonly candidates: readonly Candidate[];
      readonly quorum: number;
      readonly report: readonly SourceReport[];
    };

/** Never publishable, even with allowNonGlobal. */
const NEVER = ["0.0.0.0/8", "255.255.255.255/32", "224.0.0.0/4", "::/128", "ff00::/8"];

/**
 * Asks the sources that answer `opts.family` in parallel and judges the answers. Never throws and
 * never waits longer than about `timeoutMs`, even for a source that ignores its signal.
 */
export async function detectAddress(
  sources: readonly IpSource[],
  opts: DetectOptions,
  deps: DetectDeps = {},
): Promise<Verdict> {
  const asked = sources.filter((s) => s.families.includes(opts.family));
  const operatorCount = new Set(asked.map((s) => s.operator)).size;
  const quorum = Math.max(1, Math.floor(opts.quorum ?? Math.min(2, operatorCount)));
  const report = await Promise.all(asked.map((s) => askOne(s, opts, deps)));

  const byIp = new Map<string, { ip: ParsedIp; operators: Set<string>; sources: string[] }>();
  for (const r of report) {
    if (!r.accepted || !r.observation.ok) continue;
    const ip = r.observation.ip;
    const entry = byIp.get(ip.text) ?? { ip, operators: new Set<string>(), sources: [] };
    entry.operators.add(r.operator);
    entry.sources.push(r.id);
    byIp.set(ip.text, entry);
  }
  const candidates: Candidate[] = [...byIp.values()]
    .map((c) => ({
      ip: c.ip,
      votes: c.operators.size,
      operators: [...c.operators].sort(),
      sources: c.sources,
    }))
    .sort((a, b) => b.votes - a.votes || a.ip.text.localeCompare(b.ip.text));

  if (candidates.length > 1) return { status: "disagreed", candidates, quorum, report };
  const only = candidates[0];
  if (only !== undefined && only.votes >= quorum)
    return { status: "agreed", ip: only.ip, votes: only.votes, quorum, report };
  return { status: "insufficient", candidates, quorum, report };
}

async function askOne(source: IpSource, opts: DetectOptions, deps: DetectDeps): Promise<SourceReport> {
  const clock = deps.clock ?? systemClock;
  const timeout = (deps.timeoutSignal ?? ((ms: number) => AbortSignal.timeout(ms)))(opts.timeoutMs);
  const signal = opts.signal === undefined ? timeout : AbortSignal.any([timeout, opts.signal]);
  const started = clock();
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<Observation>((resolve) => {
    onAbort = () =>
      resolve(
        failed("timeout", opts.signal?.aborted ? "cancelled" : `no answer within ${opts.timeoutMs} ms`),
      );
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  let observation: Observation;
  try {
    const asked = Promise.resolve().then(() =>
      source.observe({ family: opts.family, signal, localAddress: opts.localAddress }),
    );
    observation = await Promise.race([asked, deadline]);
  } catch (e) {
    observation = failed("network", `the source failed: ${messageOf(e)}`);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
  const base = { id: source.id, operator: source.operator, elapsedMs: Math.max(0, clock() - started) };
  return { ...base, ...judge(source, observation, opts) };
}

function judge(
  source: IpSource,
  obs: Observation,
  opts: DetectOptions,
): Pick<SourceReport, "observation" | "accepted" | "rejection" | "detail"> {
  const reject = (rejection: Rejection, detail: string, observation = obs) => ({
    observation,
    accepted: false,
    rejection,
    detail,
  });
  if (!obs.ok) return reject(obs.reason, `${obs.reason}: ${obs.detail}`);
  // Re-parse: a buggy source must not smuggle a non-canonical or invalid value into a record.
  const ip = parseIp(String((obs.ip as Partial<ParsedIp> | undefined)?.text ?? ""));
  if (ip === undefined) {
    const bad = failed("unparsable", "the source returned an invalid address");
    return reject("unparsable", "unparsable: the source returned an invalid address", bad);
  }
  const observation: Observation = { ok: true, ip };
  if (ip.family !== opts.family)
    return reject("wrong_family", `wrong_family: ${ip.text} is not IPv${opts.family}`, observation);
  if (NEVER.some((c) => inCidr(ip, c)) || (!opts.allowNonGlobal && !isGlobalUnicast(ip)))
    return reject(
      "not_global",
      `not_global: ${ip.text} is ${rangeName(ip)}, not a global unicast address`,
      observation,
    );
  const own = (opts.ownRanges?.get(source.id) ?? []).find((c) => inCidr(ip, c));
  if (own !== undefined)
    return reject("own_range", `own_range: ${ip.text} is the service's own address (${own})`, observation);
  return { observation, accepted: true, rejection: undefined, detail: `reported ${ip.text}` };
}

function rangeName(ip: ParsedIp): string {
  const range = ipaddr.parse(ip.text).range();
  const names: Record<string, string> = {
    private: "private",
    carrierGradeNat: "CGNAT",
    loopback: "loopback",
    linkLocal: "link-local",
    uniqueLocal: "unique local (ULA)",
    multicast: "multicast",
    unspecified: "unspecified",
    broadcast: "broadcast",
    reserved: "reserved or documentation",
    ipv4Mapped: "IPv4-mapped",
  };
  return names[range] ?? `special-purpose (${range})`;
}
