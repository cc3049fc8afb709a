// The write side of `beacon serve`: the write services (services/write-services.ts: one write queue,
// the zone, token and update services on it, each commit told to `listener`) with the update limits
// (limits.*) the update service applies.

import type { Registry } from "prom-client";
import type { ServerConfig } from "../../config/index.js";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { createWriteServices, type WriteServices } from "../../services/write-services.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Store } from "../../store/ports.js";
import { startUpdateLimits, type LimitsRuntime } from "../update-limits.js";

export interface Writes extends WriteServices {
  /** Running: its timer writes long windows behind; stop() saves them. */
  readonly limits: LimitsRuntime;
}

export async function wireUpdates(d: {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Log;
  readonly listener: ChangeListener;
  /** The refusal counter goes here. */
  readonly metrics: Registry;
}): Promise<Writes> {
  const { config, store, clock, log } = d;
  const limits = await startUpdateLimits({ config, store, clock, log, metrics: d.metrics });
  const services = createWriteServices({
    store,
    clock,
    log,
    listener: d.listener,
    limits: limits.limits,
    allowNonGlobal: config.updates.allowNonGlobal,
    historyPerHost: config.history.maxEntriesPerHost,
  });
  return { ...services, limits };
}
