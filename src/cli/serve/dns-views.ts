// The DNS views of `beacon serve` that every commit feeds: the zone index (queries) behind the transfer
// journal (IXFR diffs; AXFR and the SOA NOTIFY sends read the index through it), the NOTIFY sender, and
// with `dns.workers` the pool of UDP query workers with their own indexes. Only builds: nothing listens
// and nothing is sent until commits or a load arrive. The caller puts the journal (never the index:
// the journal passes each change on to it), the notifier and the workers on the store's change
// listener (fanOut), the journal first. With dns.transfer.catalog, also the catalog zone (RFC 9432)
// and its publisher, which the caller puts on the listener too; transfers and NOTIFY then serve it
// beside the journal's zones (`transfers`).

import { randomInt } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../../config/index.js";
import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import type { Log } from "../../core/log.js";
import { createDnsExchange } from "../../dns/client/exchange.js";
import type { CountingDnsMetrics } from "../../dns/metrics.js";
import type { TsigKey } from "../../dns/tsig/tsig.js";
import type { ZoneView } from "../../dns/answer/types.js";
import { createDnsWorkerPool, type DnsWorkerPool } from "../../dns/workers/pool.js";
import { catalogProblem } from "../../dns/xfr/catalog.js";
import { createCatalogPublisher, type CatalogPublisher } from "../../dns/xfr/catalog-publisher.js";
import { CatalogZone, withCatalog } from "../../dns/xfr/catalog-zone.js";
import { ZoneJournal, type TransferSource } from "../../dns/xfr/journal.js";
import { createNotifier, type Notifier } from "../../dns/xfr/notifier.js";
import { ZoneIndex } from "../../dns/answer/zone-index.js";
import { createAnswerSteering, type AnswerSteering } from "../../dns/answer/steering.js";
import type { Store } from "../../store/ports.js";
import type { Snapshot } from "../../store/types.js";

export interface DnsViews {
  /** What queries are answered from; read-only here, it hears changes through `journal` only. */
  readonly index: ZoneView;
  /**
   * Per-query answers (weighted, hashed) for the names the pool publisher gives a rule: read by this
   * process's answers and forwarded to the DNS workers.
   */
  readonly steering: AnswerSteering;
  /**
   * Hears every change first and passes it on to the index, noting the IXFR diff on the way. Zone
   * transfers are served from it; NOTIFY reads the new SOA from it.
   */
  readonly journal: ZoneJournal;
  /** What zone transfers and NOTIFY read: the journal, and the catalog zone when there is one. */
  readonly transfers: TransferSource;
  /** With dns.transfer.catalog: the catalog zone and what keeps it in step (a listener). */
  readonly catalog: { readonly zone: CatalogZone; readonly publisher: CatalogPublisher } | undefined;
  readonly notifier: Notifier;
  /** With dns.workers > 0 and a listen address: UDP is answered by worker processes fed from here. */
  readonly workers: DnsWorkerPool | undefined;
  /** Replaces every view's content (a snapshot of the store). */
  readonly load: (snapshot: Snapshot) => void;
}

export function wireDnsViews(d: {
  readonly config: ServerConfig;
  readonly store: Pick<Store, "snapshot" | "zoneList">;
  readonly clock: Clock;
  readonly log: Log;
  /** Where the workers' counts are added. */
  readonly metrics: CountingDnsMetrics;
  /** The TSIG key NOTIFY is signed with, when there is one. */
  readonly notifyKey: () => TsigKey | undefined;
}): DnsViews {
  const { config, store, log } = d;
  const index = new ZoneIndex();
  const steering = createAnswerSteering();
  const journal = new ZoneJournal(index);
  const catalogZone = catalogZoneOf(config, store);
  const transfers = withCatalog(journal, catalogZone);
  const notifier = createNotifier({
    targets: config.dns.transfer.notify,
    source: transfers,
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
          catalog: catalogZone?.name,
          steering,
          log,
          metrics: d.metrics,
          script: fileURLToPath(new URL("../dns-worker-main.js", import.meta.url)),
        })
      : undefined;
  const catalog = catalogZone && {
    zone: catalogZone,
    publisher: createCatalogPublisher({
      catalog: catalogZone,
      read: () => store.zoneList!(),
      published: (serial) => notifier.serialChanged(catalogZone.name, serial),
      log,
    }),
  };
  return {
    index,
    steering,
    journal,
    transfers,
    catalog,
    notifier,
    workers,
    load: (snapshot) => {
      journal.load(snapshot); // and so the index
      notifier.load(snapshot);
      workers?.load(snapshot);
      catalog?.publisher.load();
    },
  };
}

/** The catalog zone dns.transfer.catalog names; config_invalid when it cannot be one or the store cannot list. */
export function catalogZoneOf(config: ServerConfig, store: Pick<Store, "zoneList">): CatalogZone | undefined {
  const name = config.dns.transfer.catalog;
  if (name === undefined) return undefined;
  const problem =
    catalogProblem(name) ?? (store.zoneList ? undefined : "this store cannot list its zones for a catalog");
  if (problem !== undefined) throw new BeaconError("config_invalid", `dns.transfer.catalog: ${problem}`);
  return new CatalogZone(name);
}
