// The update limits as a server runs them: buckets (buckets.ts) and abuse flags (abuse-flags.ts) read
// from the store, then the policy over them (update-limits.ts). How the buckets meet the store
// (`persistFromMs`, `shared`) and when they are flushed is the composition root's choice: `beacon
// serve` flushes on a timer (cli/update-limits.ts), the Lambda function at the end of each invocation.
// Rejects if the store cannot be read.

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import type { LimitRates } from "../../core/rate.js";
import type { LimitStore } from "../../store/ports.js";
import { createAbuseFlags, type AbuseFlags } from "./abuse-flags.js";
import { createBuckets, type Buckets } from "./buckets.js";
import { createLimits, type LimitScope, type Limits } from "./update-limits.js";

export interface LoadedLimits {
  readonly limits: Limits;
  readonly flags: AbuseFlags;
  /** flush() writes what the store should keep; never rejects. */
  readonly buckets: Pick<Buckets, "flush">;
}

export async function loadUpdateLimits(d: {
  readonly rates: LimitRates;
  readonly store: LimitStore;
  readonly clock: Clock;
  readonly log: Log;
  /** Buckets of rates with at least this period are written to the store. */
  readonly persistFromMs: number;
  /** Other processes save the same buckets (buckets.ts). */
  readonly shared: boolean;
  /** Told of every refusal (metrics). */
  readonly onLimited?: (scope: LimitScope) => void;
}): Promise<LoadedLimits> {
  const { store, clock, log } = d;
  const buckets = createBuckets({ clock, store, log, persistFromMs: d.persistFromMs, shared: d.shared });
  const flags = createAbuseFlags({ store, clock, log });
  await Promise.all([buckets.load(), flags.reload()]);
  const limits = createLimits({
    rates: d.rates,
    buckets,
    flags,
    ...(d.onLimited === undefined ? {} : { onLimited: d.onLimited }),
  });
  return { limits, flags, buckets };
}
