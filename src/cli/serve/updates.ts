// The write side of `beacon serve`: one write queue for every writer (so serials reach the DNS index
// in commit order), the zone, token and update services on it, each commit told to `listener`, and
// the update limits (limits.*) the update service applies. The update service counts every host
// outcome (HTTP, RFC 2136, console) for the console's rate chart: `updatesTotal()`.

import type { Registry } from "prom-client";
import type { ServerConfig } from "../../config/index.js";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { createUpdateService, type UpdateService } from "../../services/apply-update.js";
import { createTokenService } from "../../services/tokens.js";
import { createWriteQueue, type WriteQueue } from "../../services/write-queue.js";
import { createZoneService, type ZoneService } from "../../services/zones.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Store } from "../../store/ports.js";
import { startUpdateLimits, type LimitsRuntime } from "../update-limits.js";

export interface Writes {
  readonly queue: WriteQueue;
  readonly zones: ZoneService;
  readonly tokens: ReturnType<typeof createTokenService>;
  readonly updates: UpdateService;
  /** Running: its timer writes long windows behind; stop() saves them. */
  readonly limits: LimitsRuntime;
  /** Every host outcome of every update so far. */
  readonly updatesTotal: () => number;
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
  const deps = { store, clock, listener: d.listener, log, queue: createWriteQueue() };
  const zones = createZoneService(deps);
  const tokens = createTokenService(deps);
  const limits = await startUpdateLimits({ config, store, clock, log, metrics: d.metrics });
  let updatesTotal = 0;
  const updates = createUpdateService({
    ...deps,
    allowNonGlobal: config.updates.allowNonGlobal,
    historyPerHost: config.history.maxEntriesPerHost,
    limits: limits.limits,
    counted: (n) => (updatesTotal += n),
  });
  return { queue: deps.queue, zones, tokens, updates, limits, updatesTotal: () => updatesTotal };
}
