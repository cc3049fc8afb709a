// The pools' Prometheus metrics, on a registry the caller owns (never prom-client's global one), and
// the port the monitor and publisher report through. `noHealthMetrics` records nothing (tests, the CLI).
//   beacon_health_checks_total{pool,member,result}         probes run by this node (result ok|fail)
//   beacon_health_check_duration_seconds{pool}             RTT of successful probes
//   beacon_pool_member_up{pool,member}                     1 up, 0 down (effective: quorum and override);
//                                                          absent while unknown
//   beacon_pool_member_rtt_seconds{pool,member}            this node's smoothed RTT
//   beacon_pool_all_down{pool}                             1 while no member is usable
//   beacon_pool_transitions_total{pool,member,to}          effective state changes seen by the publisher
//   beacon_pool_publishes_total{pool}                      chosen sets written
// Label values are pool names and member ids, both bounded by their validation (pool-spec.ts).

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { HealthStatus } from "../../core/pools.js";

export interface HealthMetrics {
  probed(pool: string, member: string, ok: boolean, rttMs: number | undefined): void;
  rtt(pool: string, member: string, rttMs: number | undefined): void;
  status(pool: string, member: string, status: HealthStatus): void;
  allDown(pool: string, down: boolean): void;
  transition(pool: string, member: string, to: HealthStatus): void;
  published(pool: string): void;
  /** The pool is gone (or a member of it): its series go. */
  forget(pool: string, members: readonly string[]): void;
}

export const noHealthMetrics: HealthMetrics = {
  probed() {},
  rtt() {},
  status() {},
  allDown() {},
  transition() {},
  published() {},
  forget() {},
};

export function createHealthMetrics(registry: Registry): HealthMetrics {
  const checks = new Counter({
    name: "beacon_health_checks_total",
    help: "Health probes run by this node, by result",
    labelNames: ["pool", "member", "result"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "beacon_health_check_duration_seconds",
    help: "Round-trip time of successful health probes",
    labelNames: ["pool"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const up = new Gauge({
    name: "beacon_pool_member_up",
    help: "1 when the member is up, 0 when down (after quorum and overrides); absent while unknown",
    labelNames: ["pool", "member"],
    registers: [registry],
  });
  const rtt = new Gauge({
    name: "beacon_pool_member_rtt_seconds",
    help: "Smoothed round-trip time of the member's probes from this node",
    labelNames: ["pool", "member"],
    registers: [registry],
  });
  const allDown = new Gauge({
    name: "beacon_pool_all_down",
    help: "1 while no member of the pool is usable (when_all_down applies)",
    labelNames: ["pool"],
    registers: [registry],
  });
  const transitions = new Counter({
    name: "beacon_pool_transitions_total",
    help: "Changes of members' effective state",
    labelNames: ["pool", "member", "to"],
    registers: [registry],
  });
  const publishes = new Counter({
    name: "beacon_pool_publishes_total",
    help: "Chosen sets written for the pool's owner name",
    labelNames: ["pool"],
    registers: [registry],
  });
  return {
    probed(pool, member, ok, rttMs) {
      checks.inc({ pool, member, result: ok ? "ok" : "fail" });
      if (ok && rttMs !== undefined) duration.observe({ pool }, rttMs / 1000);
    },
    rtt(pool, member, rttMs) {
      if (rttMs === undefined) rtt.remove({ pool, member });
      else rtt.set({ pool, member }, rttMs / 1000);
    },
    status(pool, member, status) {
      if (status === "unknown") up.remove({ pool, member });
      else up.set({ pool, member }, status === "up" ? 1 : 0);
    },
    allDown: (pool, down) => allDown.set({ pool }, down ? 1 : 0),
    transition: (pool, member, to) => transitions.inc({ pool, member, to }),
    published: (pool) => publishes.inc({ pool }),
    forget(pool, members) {
      for (const member of members) {
        up.remove({ pool, member });
        rtt.remove({ pool, member });
      }
      allDown.remove({ pool });
    },
  };
}
