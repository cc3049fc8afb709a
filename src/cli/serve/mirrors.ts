// The mirror delivery worker of `beacon serve`: the outbox's changes go to the vendors' APIs through
// providers built on the real network (the HTTP and DNS clients), the system timers and crypto.
// Returned unstarted: serve starts it once everything is wired, and it then resumes whatever the
// outbox holds (changes committed before a crash or restart), for the mirrors whose lease it gets.

import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { systemTimers } from "../../core/timers.js";
import { createDnsExchange } from "../../dns/client/exchange.js";
import { createHttpRequest } from "../../net/http-request.js";
import type { ProviderDeps } from "../../providers/types.js";
import {
  createMirrorWorker,
  type MirrorWorker,
  type MirrorWorkerDeps,
} from "../../services/mirror/worker.js";
import { buildMirrorProvider } from "../mirror-provider.js";
import { VERSION } from "../version.js";
import { newNodeId } from "./node-id.js";

export function wireMirrors(d: {
  readonly store: MirrorWorkerDeps["store"];
  readonly clock: Clock;
  readonly log: Log;
  /** The only server on its store (SQLite): leases left by an earlier process are freed at start. */
  readonly alone: boolean;
}): MirrorWorker {
  const providerDeps: ProviderDeps = {
    httpRequest: createHttpRequest(),
    dnsExchange: createDnsExchange(),
    clock: d.clock,
    userAgent: `Beacon-Server/${VERSION}`,
    randomBytes: (n) => randomBytes(n),
  };
  return createMirrorWorker({
    store: d.store,
    provider: (m) => buildMirrorProvider(m, providerDeps),
    clock: d.clock,
    log: d.log,
    timers: systemTimers,
    node: newNodeId(),
    alone: d.alone,
  });
}
