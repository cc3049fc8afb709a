// The write side every composition root builds the same way (`beacon serve`: cli/serve/updates.ts; the
// Lambda function: lambda/compose.ts): one write queue for every writer, so serials reach `listener`
// in commit order, and the zone, token and update services on it. The update service counts every
// host outcome (HTTP, RFC 2136, console) for the console's rate chart: `updatesTotal()`.

import type { Clock } from "../core/clock.js";
import type { Log } from "../core/log.js";
import type { ChangeListener } from "../store/change-listener.js";
import type { Store } from "../store/ports.js";
import { createUpdateService, type UpdateService } from "./apply-update.js";
import type { UpdateLimits } from "./ports.js";
import { createTokenService, type TokenService } from "./tokens.js";
import { createWriteQueue, type WriteQueue } from "./write-queue.js";
import { createZoneService, type ZoneService } from "./zones.js";

export interface WriteServices {
  readonly queue: WriteQueue;
  readonly zones: ZoneService;
  readonly tokens: TokenService;
  readonly updates: UpdateService;
  /** Every host outcome of every update so far. */
  readonly updatesTotal: () => number;
}

export function createWriteServices(d: {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Log;
  readonly listener: ChangeListener;
  readonly limits: UpdateLimits | undefined;
  /** updates.allow_non_global */
  readonly allowNonGlobal: boolean;
  /** history.max_entries_per_host */
  readonly historyPerHost: number;
}): WriteServices {
  const { store, clock, log } = d;
  const deps = { store, clock, listener: d.listener, log, queue: createWriteQueue() };
  let updatesTotal = 0;
  const updates = createUpdateService({
    ...deps,
    allowNonGlobal: d.allowNonGlobal,
    historyPerHost: d.historyPerHost,
    ...(d.limits === undefined ? {} : { limits: d.limits }),
    counted: (n) => (updatesTotal += n),
  });
  return {
    queue: deps.queue,
    zones: createZoneService(deps),
    tokens: createTokenService(deps),
    updates,
    updatesTotal: () => updatesTotal,
  };
}
