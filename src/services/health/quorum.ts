// Several nodes: the status a member gets from every node's observations (docs/pools.md "Several
// nodes: the quorum"). Pure.
//
// Promises: only fresh observations (observedAt >= now - maxAgeMs) count, so a node that stopped
// probing stops voting; "unknown" does not vote; with no vote the member is "unknown" (usable, low
// TTL); otherwise up when at least half the votes say up (a tie fails open, like Route 53's
// "healthy if enough checkers say so").

import type { HealthStatus } from "../../core/pools.js";

export function quorumStatus(
  observations: readonly { status: HealthStatus; observedAt: number }[],
  now: number,
  maxAgeMs: number,
): HealthStatus {
  let votes = 0;
  let ups = 0;
  for (const o of observations) {
    if (o.status === "unknown" || !(o.observedAt >= now - maxAgeMs)) continue;
    votes += 1;
    if (o.status === "up") ups += 1;
  }
  if (votes === 0) return "unknown";
  return ups * 2 >= votes ? "up" : "down";
}
