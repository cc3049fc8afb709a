// The DNS views of `beacon serve` that every commit feeds: the zone index (queries) behind the transfer
// journal (IXFR diffs; AXFR and the SOA NOTIFY sends read the index through it), the NOTIFY sender, and
// with `dns.workers` the pool of UDP query workers with their own indexes. Only builds: nothing listens
// and nothing is sent until commits or a load arrive. The caller puts the journal (never the index:
// the journal passes each change on to it), the notifier and the workers on the store's change
// listener (fanOut), the journal first.

import { randomInt } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../../config/index.js";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { createDnsExchange } from "../../dns/client/exchange.js";
import type { CountingDnsMetrics } from "../../dns/metrics.js";
import type { TsigKey } from "../../dns/tsig/tsig.js";
import type { ZoneView } from "../../dns/answer/types.js";
import { createDnsWorkerPool, type DnsWorkerPool } from "../../dns/workers/pool.js";
import { ZoneJournal } from "../../dns/xfr/journal.js";
import { createNotifier, type Notifier } from "../../dns/xfr/notifier.js";
import { ZoneIndex } from "../../dns/answer/zone-index.js";
import type { Store } from "../../store/ports.js";
import type { Snapshot } from "../../store/types.js";

export interface DnsViews {
  /** What queries are answered from; read-only here, it hears changes through `journal` only. */
  readonly index: ZoneView;
  /**
   * Hears every change first and passes it on to the index, noting the IXFR diff on the way. Zone
   * transfers are served from it; NOTIFY reads the new SOA from it.
   */
  readonly journal: ZoneJournal;
  readonly notifier: Notifier;
  /** With dns.workers > 0 and a listen address: UDP is answered by worker processes fed from here. */
  readonly workers: DnsWorkerPool | undefined;
  /** Replaces every view's content (a snapshot of the store). */
  readonly load: (snapshot: Snapshot) => void;
}

export function wireDnsViews(d: {
  readonly config: ServerConfig;
  readonly store: Pick<Store, "snapshot">;
  readonly clock: Clock;
  readonly log: Log;
  /** Where the workers' counts are added. */
  readonly metrics: CountingDnsMetrics;
  /** The TSIG key NOTIFY is signed with, when there is one. */
  readonly notifyKey: () => TsigKey | undefined;
}): DnsViews {
  const { config, store, log } = d;
  const index = new ZoneIndex();
  const journal = new ZoneJournal(index);
  const notifier = createNotifier({
    targets: config.dns.transfer.notify,
    source: journal,
    exchange: createDnsExchange({ maxSends: 1 }),
    key: d.notifyKey,
    clock: d.clock,
    randomId: () => randomInt(65536),
    log,
    tries: config.dns.transfer.notifyRetries,
  });
  const workers =
    config.dns.workers > 0 && config.dns.listen.length > 0
      ? createDnsWorkerPool({
          workers: config.dns.workers,
          snapshot: () => store.snapshot(),
          logLevel: config.log.level,
          logFormat: config.log.format,
          limits: config.dns.limits,
          log,
          metrics: d.metrics,
          script: fileURLToPath(new URL("../dns-worker-main.js", import.meta.url)),
        })
      : undefined;
  return {
    index,
    journal,
    notifier,
    workers,
    load: (snapshot) => {
      journal.load(snapshot); // and so the index
      notifier.load(snapshot);
      workers?.load(snapshot);
    },
  };
}
