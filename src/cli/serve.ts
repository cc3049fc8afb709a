// The server's composition root: the only place that picks the SQLite store, opens sockets and
// starts timers. Everything it wires is tested on its own; this file is exercised end to end.

import { fanOut, kickOnCommit } from "../services/fan-out.js";
import { fileURLToPath } from "node:url";
import { getConnInfo } from "@hono/node-server/conninfo";
import { randomBytes, randomInt } from "node:crypto";
import { Registry } from "prom-client";
import { systemTimers } from "../core/timers.js";
import type { ServerConfig } from "../config/index.js";
import { systemClock } from "../core/clock.js";
import { dispatch } from "../dns/dispatch.js";
import { createAnswerCache } from "../dns/answer-cache.js";
import { createDnsExchange } from "../dns/client/exchange.js";
import { createDnsMetrics } from "../dns/metrics.js";
import { startDnsServer, type DnsServer } from "../dns/server.js";
import { startDnsWithWorkers } from "../dns/workers/listeners.js";
import { createDnsWorkerPool } from "../dns/workers/pool.js";
import type { TsigKey } from "../dns/tsig.js";
import type { DnsContext } from "../dns/types.js";
import { createUpdateHandler } from "../dns/update/handler.js";
import { ZoneJournal } from "../dns/xfr/journal.js";
import { createNotifier } from "../dns/xfr/notifier.js";
import { createTransferHandler } from "../dns/xfr/responder.js";
import { signedQueries } from "../dns/signed-query.js";
import { ZoneIndex } from "../dns/zone-index.js";
import { createApp } from "../http/app.js";
import { createHttpRequest } from "../net/http-request.js";
import type { Logger } from "../observability/logger.js";
import { registerStoreMetrics } from "../observability/store-metrics.js";
import type { ProviderDeps } from "../providers/types.js";
import { createUpdateService } from "../services/apply-update.js";
import { createHistorySweeper, type HistorySweeper } from "../services/history-retention.js";
import { createCachedKeyring } from "../services/keys.js";
import { createExternalChanges, type ExternalChanges } from "../services/external-changes.js";
import { createMirrorWorker } from "../services/mirror/worker.js";
import { createTokenService } from "../services/tokens.js";
import { createWriteQueue } from "../services/write-queue.js";
import { createZoneService } from "../services/zones.js";
import type { Snapshot } from "../store/types.js";
import type { Store } from "../store/ports.js";
import { createAdminConsole } from "./admin-console.js";
import { openServerStore } from "./context.js";
import { dnsLimitOptions } from "./dns-limits.js";
import { startUpdateLimits } from "./update-limits.js";
import { drainHttp, httpConnections, listenHttp, type Endpoint } from "./http-server.js";
import { listenFailure, type ListenSetting } from "./listen-errors.js";
import { openFileLimit } from "./open-files.js";
import { buildMirrorProvider } from "./mirror-provider.js";
import { VERSION } from "./version.js";

export type { Endpoint } from "./http-server.js";

export interface RunningServer {
  readonly http: readonly Endpoint[];
  readonly dns: readonly Endpoint[];
  readonly demoZoneCreated: string | undefined;
  /** The first-run code for the admin console while no admin exists (printed by `beacon serve`). */
  readonly setupCode: () => string | undefined;
  /** Stops accepting, drains in-flight HTTP requests (up to the grace period), closes the store. */
  close(): Promise<void>;
}

/** How often a running server checks whether another process (the CLI) changed the store. */
const EXTERNAL_POLL_MS = 1_000;
/** The change log is pruned every this many polls (each removes at most pruneBatch rows). */
const PRUNE_EVERY_POLLS = 10;
/** How often old history entries are swept (each sweep bounded: services/history-retention.ts). */
const HISTORY_SWEEP_MS = 60_000;

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const store = await openServerStore(config.store.sqlitePath, log);
  const index = new ZoneIndex();
  const clock = systemClock;
  const providerDeps: ProviderDeps = {
    httpRequest: createHttpRequest(),
    dnsExchange: createDnsExchange(),
    clock,
    userAgent: `Beacon-Server/${VERSION}`,
    randomBytes: (n) => randomBytes(n),
  };
  const mirrors = createMirrorWorker({
    store,
    provider: (m) => buildMirrorProvider(m, providerDeps),
    clock,
    log,
    timers: systemTimers,
  });
  // Zone transfers are served from the journal; NOTIFY reads the new SOA from it, so it listens after it.
  const journal = new ZoneJournal();
  const notifyKeyName = config.dns.transfer.notifyKey;
  let notifyKey: () => TsigKey | undefined = () => undefined; // set once the keyring exists (below)
  const notifier = createNotifier({
    targets: config.dns.transfer.notify,
    source: journal,
    exchange: createDnsExchange({ maxSends: 1 }),
    key: () => notifyKey(),
    clock,
    randomId: () => randomInt(65536),
    log,
    tries: config.dns.transfer.notifyRetries,
  });
  // The server's own registry (never prom-client's global one), served on GET /metrics.
  const metrics = new Registry();
  const dnsMetrics = createDnsMetrics(metrics);
  registerStoreMetrics(metrics, store);
  // dns.workers > 0: UDP queries are answered by worker processes, each with its own index fed from here.
  const workers =
    config.dns.workers > 0 && config.dns.listen.length > 0
      ? createDnsWorkerPool({
          workers: config.dns.workers,
          snapshot: () => store.snapshot(),
          logLevel: config.log.level,
          logFormat: config.log.format,
          limits: config.dns.limits,
          log,
          metrics: dnsMetrics,
          script: fileURLToPath(new URL("./dns-worker-main.js", import.meta.url)),
        })
      : undefined;
  const listener = fanOut(index, kickOnCommit(mirrors), journal, notifier, ...(workers ? [workers] : []));
  // One queue for every writer, so serials reach the DNS index in commit order.
  const deps = { store, clock, listener, log, queue: createWriteQueue() };
  const zones = createZoneService(deps);
  const tokens = createTokenService(deps);
  const limits = await startUpdateLimits({ config, store, clock, log, metrics });
  // Every host outcome of every update (HTTP, RFC 2136, console), for the console's rate chart.
  let updatesTotal = 0;
  const updates = createUpdateService({
    ...deps,
    allowNonGlobal: config.updates.allowNonGlobal,
    historyPerHost: config.history.maxEntriesPerHost,
    limits: limits.limits,
    counted: (n) => (updatesTotal += n),
  });
  const stopSweeping = sweepHistoryPeriodically(
    createHistorySweeper({ store, clock, maxAgeMs: config.history.maxAgeMs }),
    log,
  );

  const demoZoneCreated = await ensureDemoZone(config, store, zones);
  // Commits by other processes (admin commands) reach every view through the same listener.
  const external = createExternalChanges({
    store,
    listener,
    queue: deps.queue,
    log,
    load: (snapshot: Snapshot) => {
      index.load(snapshot);
      journal.load(snapshot);
      notifier.load(snapshot);
      workers?.load(snapshot);
    },
  });
  await external.start();
  // TSIG keys for UPDATE live in the store; `beacon key add|rm` changes them from another process.
  const keys = createCachedKeyring({ store, log });
  await keys.refresh();
  const stopWatching = watchExternalChanges(external, log, () => {
    mirrors.kick();
    void keys.refresh();
    limits.flags.reload().catch((e: unknown) => log.warn({ err: e }, "could not reload the host flags"));
  });
  const admin = await createAdminConsole({
    config,
    store,
    clock,
    updates: () => updatesTotal,
    queries: () => receivedMessages(dnsMetrics.counts()),
    keysChanged: () => keys.refresh(),
    mirrorsChanged: () => mirrors.kick(),
    flags: limits.flags,
  });
  const dnsUpdate = createUpdateHandler({
    keyring: keys.keyring,
    store,
    updates,
    clock,
    log,
    allowMd5: config.dns.update.allowMd5,
    maxFudge: config.dns.update.maxFudge,
  });
  if (notifyKeyName !== undefined) {
    notifyKey = () => keys.keyring(notifyKeyName);
    if (keys.keyring(notifyKeyName) === undefined)
      log.warn({ key: notifyKeyName }, "dns.transfer.notify_key names no TSIG key; NOTIFY goes unsigned");
  }
  for (const name of config.dns.transfer.keys.filter((k) => keys.keyring(k) === undefined))
    log.warn({ key: name }, "dns.transfer.keys names no TSIG key; transfers signed with it are refused");
  const dnsTransfer = createTransferHandler({
    source: journal,
    policy: { allow: config.dns.transfer.allow, keys: config.dns.transfer.keys },
    keyring: keys.keyring,
    clock,
    log,
  });
  // Resumes whatever the outbox holds (changes committed before a crash or restart).
  mirrors.start();

  const dnsLimits = dnsLimitOptions(config.dns.limits, clock, dnsMetrics, config.dns.transfer.allow);
  const app = createApp({
    tokens,
    updates,
    zones,
    store,
    log,
    clock,
    clientAddress: (c) => getConnInfo(c).remote.address,
    limitClient: (scope, ip) => limits.limits.client(scope, ip),
    trustedProxies: config.http.trustedProxies,
    maxBodyBytes: config.http.maxBodyBytes,
    version: VERSION,
    metrics,
    admin: admin.deps,
  });

  const answers = createAnswerCache(index, { alloc: (n) => Buffer.allocUnsafe(n) });
  const routes = dispatch({
    // Secondaries sign their SOA refresh queries with the transfer key and want signed answers.
    query: signedQueries(answers, { keyring: keys.keyring, clock }),
    update: dnsUpdate,
    transfer: dnsTransfer,
  });
  const dnsOptions = {
    // A question answered before is answered again from its precomputed bytes, before any routing.
    handler: (msg: Uint8Array, ctx: DnsContext) => answers.hit(msg) ?? routes(msg, ctx),
    log,
    tcpIdleTimeoutMs: config.dns.tcpIdleTimeoutMs,
    maxTcpConnections: config.dns.maxTcpConnections,
    ...dnsLimits,
  };
  const connections = httpConnections(config.http, log, clock, metrics, openFileLimit());
  const dnsServers: DnsServer[] = [];
  const httpServers: Awaited<ReturnType<typeof listenHttp>>[] = [];
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopWatching();
      stopSweeping();
      admin.stop();
      // The mirror worker finishes the delivery in flight (bounded) while requests drain; what is
      // still queued stays in the outbox for the next start.
      await Promise.all([
        ...httpServers.map((s) => drainHttp(s.server, config.shutdownGraceMs)),
        ...dnsServers.map((s) => s.close()),
        mirrors.stop(),
        notifier.stop(),
        workers?.close(),
      ]);
      connections.stop();
      // Long-window limits outlive the restart: what this run counted is saved before the store closes.
      await limits.stop();
      await store.close();
    })());
  try {
    // With workers, this process serves TCP only; UDP (and what workers forward) goes through the pool.
    await listening("dns.listen", config.dns.listen, async () => {
      if (workers) dnsServers.push(...(await startDnsWithWorkers(config.dns.listen, workers, dnsOptions)));
      else
        for (const l of config.dns.listen)
          dnsServers.push(await startDnsServer({ host: l.host, port: l.port, ...dnsOptions }));
    });
    await listening("http.listen", config.http.listen, async () => {
      for (const l of config.http.listen)
        httpServers.push(await listenHttp(app.fetch, l, config.http, connections));
    });
  } catch (e) {
    // Nothing started may keep the process alive: the error is reported and the command exits.
    await close();
    throw e;
  }

  return {
    http: httpServers.map((s) => s.endpoint),
    dns: dnsServers.map((s) => ({ host: s.host, port: s.port })),
    demoZoneCreated,
    setupCode: admin.setupCode,
    close,
  };
}

/** Runs `start`, turning an expected failure to listen into one clear line naming `setting`. */
async function listening(
  setting: ListenSetting,
  configured: readonly Endpoint[],
  start: () => Promise<void>,
): Promise<void> {
  try {
    await start();
  } catch (e) {
    throw listenFailure(e, setting, configured);
  }
}

const RECEIVED = "beacon_dns_messages_received_total|";

/** DNS messages received over every transport (the workers' counts are merged into these). */
function receivedMessages(counts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const [key, v] of counts) if (key.startsWith(RECEIVED)) n += v;
  return n;
}

async function ensureDemoZone(
  config: ServerConfig,
  store: Store,
  zones: ReturnType<typeof createZoneService>,
): Promise<string | undefined> {
  if (!config.demo.enabled || (await store.listZones()).length > 0) return undefined;
  await zones.addZone(config.demo.zone, {});
  return config.demo.zone;
}

/** Runs a bounded history sweep (history.max_age) every HISTORY_SWEEP_MS. */
function sweepHistoryPeriodically(sweeper: HistorySweeper, log: Logger): () => void {
  return everyUnlessBusy(
    HISTORY_SWEEP_MS,
    async () => {
      const deleted = await sweeper.sweep();
      if (deleted > 0) log.info({ deleted }, "history entries past history.max_age deleted");
    },
    (e) => log.warn({ err: e }, "could not prune the update history"),
  );
}

/** Runs `task` every `ms` (never two at once: a tick while one runs is skipped); returns a stop. */
function everyUnlessBusy(ms: number, task: () => Promise<void>, failed: (e: unknown) => void): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    task()
      .catch(failed)
      .finally(() => {
        busy = false;
      });
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Applies commits of other processes (a CLI command) about once a second, and tells `onChange`
 * (mirrors may have been added, removed or resynced; keys changed). Prunes the change log now and then.
 */
function watchExternalChanges(external: ExternalChanges, log: Logger, onChange: () => void): () => void {
  let polls = 0;
  return everyUnlessBusy(
    EXTERNAL_POLL_MS,
    async () => {
      if ((await external.step()) !== "none") onChange();
      if (++polls % PRUNE_EVERY_POLLS === 0) await external.prune();
    },
    (e) => log.warn({ err: e }, "could not check the store for outside changes"),
  );
}
