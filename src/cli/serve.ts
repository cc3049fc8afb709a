// The server's composition root: the only place that opens the chosen store (context.ts), opens
// sockets and starts timers. Each subsystem is wired by its own function in serve/ (tested on its own where it
// holds logic); `startServer` puts them together in order and is exercised end to end.

import { Registry } from "prom-client";
import type { ServerConfig } from "../config/index.js";
import type { CertificateSink } from "../core/certificates.js";
import { systemClock } from "../core/clock.js";
import { createDnsMetrics, type CountingDnsMetrics } from "../dns/metrics.js";
import type { TsigKey } from "../dns/tsig/tsig.js";
import type { Logger } from "../observability/logger.js";
import { registerStoreMetrics } from "../observability/store-metrics.js";
import { createExternalChanges } from "../services/external-changes.js";
import { fanOut, kickOnCommit } from "../services/fan-out.js";
import { createHistorySweeper } from "../services/history-retention.js";
import { createCachedKeyring } from "../services/keys.js";
import type { ZoneService } from "../services/zones.js";
import type { Store } from "../store/ports.js";
import { createAdminConsole } from "./admin-console.js";
import { openConfiguredStore } from "./context.js";
import type { Endpoint } from "./http-server.js";
import { checkTransferKeys, wireDnsAnswers } from "./serve/dns-answers.js";
import { wireDnsViews } from "./serve/dns-views.js";
import { wireAcme } from "./serve/acme.js";
import { wireHttp } from "./serve/http.js";
import { wireTls } from "./serve/tls.js";
import type { ReloadOutcome } from "./tls/certificate-files.js";
import { registerCertificateMetrics } from "./tls/https-certificates.js";
import type { CertificateStatus } from "../core/certificates.js";
import { listenAll, type Listeners } from "./serve/listen.js";
import { wireMirrors } from "./serve/mirrors.js";
import { wireWebhooks } from "./serve/notify.js";
import { sweepHistoryPeriodically, systemEvery, watchExternalChanges } from "./serve/periodic.js";
import { deferredListener, wirePools, type PoolsRuntime } from "./serve/pools.js";
import { shutdownInOrder } from "./serve/shutdown.js";
import { wireUpdates } from "./serve/updates.js";
import { newNodeId } from "./serve/node-id.js";
import { hostname } from "node:os";

export type { Endpoint } from "./http-server.js";

/** What SIGHUP reloaded (serve/tls.ts, the keyring, the host flags); logged in one line. */
export interface Reloaded {
  /** Undefined: no certificate files (no HTTPS, or ACME). */
  readonly certificate: ReloadOutcome | undefined;
  readonly tsigKeys: "reloaded";
  readonly hostFlags: "reloaded" | "failed";
}

export interface RunningServer {
  readonly http: readonly Endpoint[];
  /** HTTPS listeners (http.tls.listen). */
  readonly https: readonly Endpoint[];
  readonly dns: readonly Endpoint[];
  readonly demoZoneCreated: string | undefined;
  /** The first-run code for the admin console while no admin exists (printed by `beacon serve`). */
  readonly setupCode: () => string | undefined;
  /** The certificate the HTTPS listeners serve (the console, /metrics); undefined without one. */
  readonly certificate: () => CertificateStatus | undefined;
  /** SIGHUP: certificate files, TSIG keyring, host flags read again. Never rejects. */
  reload(): Promise<Reloaded>;
  /** Stops accepting, drains in-flight HTTP requests (up to the grace period), closes the store. */
  close(): Promise<void>;
}

/** `certificates`: where ACME certificates go (the HTTPS listeners); none: checked, not served. */
export async function startServer(
  config: ServerConfig,
  log: Logger,
  opts: { readonly certificates?: CertificateSink } = {},
): Promise<RunningServer> {
  const clock = systemClock;
  // The certificate files are checked before anything opens: a bad pair stops the start here.
  const tls = wireTls({ config, log, clock });
  const store = await openConfiguredStore(config, "server", log);
  const metrics = serverMetrics(store);
  if (tls !== undefined) registerCertificateMetrics(metrics.registry, () => tls.certificates.status());
  const mirrors = wireMirrors({ store, clock, log, alone: config.store.postgres === undefined });
  // webhooks.notifier: what the pools' publisher emits its events through.
  const webhooks = wireWebhooks({ store, clock, log, registry: metrics.registry });
  // NOTIFY goes unsigned until the keyring is read and dns.transfer.notify_key checked (below).
  let notifyKey: () => TsigKey | undefined = () => undefined;
  const dns = wireDnsViews({ config, store, clock, log, metrics: metrics.dns, notifyKey: () => notifyKey() });
  const late: { pools?: PoolsRuntime } = {};
  const listener = fanOut(
    dns.journal, // and through it the index, before anyone who reads it
    kickOnCommit(mirrors),
    kickOnCommit(webhooks),
    dns.notifier,
    ...(dns.workers ? [dns.workers] : []),
    ...(dns.catalog ? [dns.catalog.publisher] : []),
    deferredListener(() => late.pools?.listener),
  );
  const writes = await wireUpdates({ config, store, clock, log, listener, metrics: metrics.registry });
  // Before any timer starts: settings the zones contradict stop the start here.
  const acme = await wireAcme({
    settings: config.acme,
    store,
    clock,
    log,
    updates: writes.updates,
    index: dns.index,
    sink: tls?.certificates ?? opts.certificates,
    registry: metrics.registry,
    owner: newNodeId(),
  });
  const pools = wirePools({
    store,
    clock,
    log,
    registry: metrics.registry,
    updates: writes.updates,
    zones: writes.zones,
    index: dns.index,
    node: config.pools.nodeName ?? hostname(),
    processId: newNodeId(),
    shared: config.store.postgres !== undefined,
    every: systemEvery,
    retention: { transitionsMs: config.pools.transitionsMaxAgeMs, rollupsMs: config.pools.rollupsMaxAgeMs },
    rules: dns.steering,
    notify: (events) => webhooks.notifier.emit(events),
  });
  late.pools = pools;
  const historySweeper = createHistorySweeper({ store, clock, maxAgeMs: config.history.maxAgeMs });
  const stopSweeping = sweepHistoryPeriodically(historySweeper, log, systemEvery);
  const demoZoneCreated = await ensureDemoZone(config, store, writes.zones);

  // Commits by other processes (admin commands) reach every view through the same listener.
  const external = createExternalChanges({ store, listener, queue: writes.queue, log, load: dns.load });
  await external.start();
  // TSIG keys for UPDATE live in the store; `beacon key add|rm` changes them from another process.
  const keys = createCachedKeyring({ store, log });
  await keys.refresh();
  // Other nodes' commits wake it at once on PostgreSQL (the poll stays as the backstop).
  const stopWatching = watchExternalChanges(
    external,
    log,
    systemEvery,
    () => {
      mirrors.kick();
      pools.reload();
      webhooks.kick();
      void keys.refresh();
      dns.catalog?.publisher.retry();
      writes.limits.flags
        .reload()
        .catch((e: unknown) => log.warn({ err: e }, "could not reload the host flags"));
    },
    store,
  );
  const admin = await createAdminConsole({
    config,
    store,
    clock,
    updates: writes.updatesTotal,
    queries: () => receivedMessages(metrics.dns.counts()),
    keysChanged: () => keys.refresh(),
    mirrorsChanged: () => mirrors.kick(),
    flags: writes.limits.flags,
    certificate: tls && (() => tls.certificates.status()),
    ...(acme === undefined ? {} : { acme: () => acme.service.status() }),
  });
  notifyKey = checkTransferKeys(config.dns.transfer, keys.keyring, log);
  // Resumes whatever the outbox holds (changes committed before a crash or restart).
  mirrors.start();
  // Probing starts now, not on the first query; states saved before resume.
  await pools.start();
  webhooks.start();

  const listeners: Listeners = { dns: [], http: [], https: [] };
  const http = wireHttp({
    config,
    httpsPort: () => listeners.https[0]?.endpoint.port,
    store,
    clock,
    log,
    writes,
    metrics: metrics.registry,
    admin: admin.deps,
    pools: pools.admin,
    acmeChallenge: acme?.httpChallenge,
  });
  const answering = wireDnsAnswers({
    config,
    store,
    clock,
    log,
    metrics: metrics.dns,
    views: dns,
    keyring: keys.keyring,
    updates: writes.updates,
  });
  const close = shutdownInOrder({
    tls,
    stopWatching,
    stopSweeping,
    admin,
    listeners,
    mirrors,
    pools,
    webhooks,
    acme: acme?.service,
    notifier: dns.notifier,
    workers: dns.workers,
    connections: http.connections,
    limits: writes.limits,
    store,
  });
  try {
    await acme?.service.load(); // the stored certificate, before the first handshake
    await listenAll(
      { config, dns: answering, workers: dns.workers, ...http, certificates: tls?.certificates },
      listeners,
    );
  } catch (e) {
    // Nothing started may keep the process alive: the error is reported and the command exits.
    await close();
    throw e;
  }
  acme?.service.start(); // ordering needs the DNS (dns-01) or HTTP (http-01) listeners up

  return {
    http: listeners.http.map((l) => l.endpoint),
    https: listeners.https.map((l) => l.endpoint),
    certificate: () => tls?.certificates.status(),
    reload: async () => {
      const certificate = tls?.reload();
      await keys.refresh();
      const hostFlags = await writes.limits.flags.reload().then(
        () => "reloaded" as const,
        (e: unknown) => (log.warn({ err: e }, "could not reload the host flags"), "failed" as const),
      );
      return { certificate, tsigKeys: "reloaded", hostFlags };
    },
    dns: listeners.dns.map((s) => ({ host: s.host, port: s.port })),
    demoZoneCreated,
    setupCode: admin.setupCode,
    close,
  };
}

/** The server's own registry (never prom-client's global one), served on GET /metrics. */
function serverMetrics(store: Store): { readonly registry: Registry; readonly dns: CountingDnsMetrics } {
  const registry = new Registry();
  const dns = createDnsMetrics(registry);
  registerStoreMetrics(registry, store);
  return { registry, dns };
}

async function ensureDemoZone(
  config: ServerConfig,
  store: Store,
  zones: ZoneService,
): Promise<string | undefined> {
  if (!config.demo.enabled || (await store.listZones()).length > 0) return undefined;
  await zones.addZone(config.demo.zone, {});
  return config.demo.zone;
}

const RECEIVED = "beacon_dns_messages_received_total|";

/** DNS messages received over every transport (the workers' counts are merged into these). */
function receivedMessages(counts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const [key, v] of counts) if (key.startsWith(RECEIVED)) n += v;
  return n;
}
