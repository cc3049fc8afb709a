// The answer TTL of a pool: gdnsd's rule (docs/pools.md "Answer TTL"). A resolver should not keep the
// answer longer than the soonest moment probing could change it. Pure.
//
// Promises: the minimum over members of the time until their next possible state change — an up
// member needs (fall − streak) more failures, a down member (rise − streak) more successes, one probe
// interval each; overridden members never change by probing and are skipped; any unknown member (not
// overridden) gives ttlMin. In whole seconds, rounded down, clamped to [ttlMin, ttlMax]; no member
// that can change gives ttlMax.

import type { AdminOverride, CheckSpec, HealthStatus, PoolSpec } from "../../core/pools.js";

export function answerTtl(
  members: readonly { status: HealthStatus; streak: number; override: AdminOverride }[],
  check: Pick<CheckSpec, "intervalMs" | "rise" | "fall">,
  pool: Pick<PoolSpec, "ttlMin" | "ttlMax">,
): number {
  let soonestMs = Infinity;
  for (const m of members) {
    if (m.override !== "none") continue;
    if (m.status === "unknown") return pool.ttlMin;
    const left = (m.status === "up" ? check.fall : check.rise) - m.streak;
    soonestMs = Math.min(soonestMs, Math.max(left, 0) * check.intervalMs);
  }
  const seconds = Math.floor(soonestMs / 1000);
  return Math.min(pool.ttlMax, Math.max(pool.ttlMin, seconds));
}
