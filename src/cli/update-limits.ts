// Wiring of the update limits for `beacon serve`: the buckets (in memory, written behind to the store as
// bucket-sharing.ts chooses from the store kind: long windows every 10 s on SQLite, every bucket every
// second on PostgreSQL, and on shutdown), the hosts' abuse flags, the policy, and a counter of refusals
// on the server's metrics registry.

import { Counter, type Registry } from "prom-client";
import type { ServerConfig } from "../config/index.js";
import type { Clock } from "../core/clock.js";
import type { AbuseFlags } from "../services/limits/abuse-flags.js";
import { loadUpdateLimits } from "../services/limits/load-limits.js";
import { bucketSharing, startFlushing } from "./bucket-sharing.js";
import type { Limits } from "../services/limits/update-limits.js";
import type { Log } from "../core/log.js";
import type { Store } from "../store/ports.js";

export interface LimitsRuntime {
  readonly limits: Limits;
  readonly flags: AbuseFlags;
  /** Stops the timer and writes what is pending. Never rejects. */
  stop(): Promise<void>;
}

export async function startUpdateLimits(d: {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics: Registry;
}): Promise<LimitsRuntime> {
  const { config, store, clock, log } = d;
  const sharing = bucketSharing(config.store);
  const refused = new Counter({
    name: "beacon_update_limited_total",
    help: "Requests refused by an update limit (limits.*), by scope.",
    labelNames: ["scope"],
    registers: [d.metrics],
  });
  const { limits, flags, buckets } = await loadUpdateLimits({
    rates: config.limits,
    store,
    clock,
    log,
    ...sharing,
    onLimited: (scope) => refused.inc({ scope }),
  });
  return { limits, flags, ...startFlushing(buckets, sharing.flushEveryMs) };
}
