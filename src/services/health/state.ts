// A member's health as one node sees it: the rise/fall state machine over probe samples (docs/pools.md
// "How a member's state changes"). Pure: the monitor feeds samples in order and persists the result.
//
// Promises: up turns down after `fall` consecutive failures, down turns up after `rise` consecutive
// successes; an interleaved result of the other kind resets the count (a flapping member keeps its
// state). unknown (no verdict yet) is already treated as usable, so ONE success confirms it up, while
// it takes `fall` failures to bring it down. `since` moves only when the status changes.

import type { AdminOverride, CheckSpec, HealthStatus, MemberHealth, ProbeSample } from "../../core/pools.js";

/** Weight of the newest sample in the smoothed RTT (EWMA). */
export const RTT_ALPHA = 0.3;

export interface StateChange {
  readonly from: HealthStatus;
  readonly to: HealthStatus;
  /** "3 failures: timeout", "2 successes", "1 success". */
  readonly reason: string;
}

export function initialHealth(pool: string, member: string, at: number): MemberHealth {
  return { pool, member, status: "unknown", streak: 0, since: at };
}

/** The state after `sample`, and the change it caused, if any. Samples must come in time order. */
export function observe(
  state: MemberHealth,
  sample: ProbeSample,
  check: Pick<CheckSpec, "rise" | "fall">,
): { state: MemberHealth; change?: StateChange } {
  const next: MemberHealth = sample.ok
    ? { ...state, lastProbeAt: sample.at, lastReason: undefined, rttMs: smoothRtt(state.rttMs, sample.rttMs) }
    : { ...state, lastProbeAt: sample.at, lastReason: sample.reason ?? "failed" };
  // The streak counts results that push away from the current status; the other kind resets it.
  const pushes = state.status === "down" ? sample.ok : !sample.ok;
  const streak = pushes ? state.streak + 1 : 0;
  const turnsUp =
    sample.ok && (state.status === "unknown" || (state.status === "down" && streak >= check.rise));
  const turnsDown = !sample.ok && state.status !== "down" && streak >= check.fall;
  if (!turnsUp && !turnsDown) return { state: { ...next, streak } };
  const to = turnsUp ? "up" : "down";
  // unknown → up takes one success, which its streak (counting failures) does not hold.
  const reason = turnsUp
    ? plural(Math.max(streak, 1), "success", "successes")
    : `${plural(streak, "failure", "failures")}: ${next.lastReason}`;
  return {
    state: { ...next, status: to, streak: 0, since: sample.at },
    change: { from: state.status, to, reason },
  };
}

/** What steering uses: an override wins over probes. */
export function effectiveStatus(status: HealthStatus, override: AdminOverride): HealthStatus {
  switch (override) {
    case "forced_up":
      return "up";
    case "forced_down":
    case "maintenance":
      return "down";
    case "none":
      return status;
  }
}

function smoothRtt(prev: number | undefined, rtt: number | undefined): number | undefined {
  if (rtt === undefined || !Number.isFinite(rtt) || rtt < 0) return prev;
  return prev === undefined ? rtt : prev + RTT_ALPHA * (rtt - prev);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
