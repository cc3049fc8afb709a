// The server's composition root: the only place that picks the SQLite store, opens sockets and
// starts timers. Everything it wires is tested on its own; this file is exercised end to end.

import { serve as serveHttp, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Server as HttpServer } from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { systemTimers } from "../agent/schedule.js";
import type { ServerConfig } from "../config/index.js";
import { systemClock } from "../core/clock.js";
import { dispatch } from "../dns/dispatch.js";
import { answerQuery } from "../dns/engine.js";
import { createDnsExchange } from "../dns/exchange.js";
import { startDnsServer } from "../dns/server.js";
import { ZoneIndex } from "../dns/zone-index.js";
import { createApp } from "../http/app.js";
import { createHttpRequest } from "../net/http-request.js";
import type { Logger } from "../observability/logger.js";
import type { ProviderDeps } from "../providers/types.js";
import { createUpdateService } from "../services/apply-update.js";
import { createMirrorWorker, type MirrorWorker } from "../services/mirror/worker.js";
import type { ChangeListener } from "../services/ports.js";
import { createTokenService } from "../services/tokens.js";
import { createWriteQueue } from "../services/write-queue.js";
import { createZoneService } from "../services/zones.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/types.js";
import { buildMirrorProvider } from "./mirror-provider.js";
import { VERSION } from "./version.js";

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface RunningServer {
  readonly http: readonly Endpoint[];
  readonly dns: readonly Endpoint[];
  readonly demoZoneCreated: string | undefined;
  /** Stops accepting, drains in-flight HTTP requests (up to the grace period), closes the store. */
  close(): Promise<void>;
}

/** How often a running server checks whether another process (the CLI) changed the store. */
const EXTERNAL_POLL_MS = 1_000;

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const store = await openSqliteStore({ path: config.store.sqlitePath, log });
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
  // One queue for every writer, so serials reach the DNS index in commit order.
  const deps = { store, clock, listener: kickingMirrors(index, mirrors), log, queue: createWriteQueue() };
  const zones = createZoneService(deps);
  const tokens = createTokenService(deps);
  const updates = createUpdateService({ ...deps, allowNonGlobal: config.updates.allowNonGlobal });

  const demoZoneCreated = await ensureDemoZone(config, store, zones);
  // Read the version before the snapshot, so a commit by another process in between is reloaded.
  const version = await store.externalVersion();
  index.load(await store.snapshot());
  const stopWatching = watchExternalChanges(store, index, version, log, () => mirrors.kick());
  // Resumes whatever the outbox holds (changes committed before a crash or restart).
  mirrors.start();

  const app = createApp({
    tokens,
    updates,
    zones,
    store,
    log,
    clock,
    clientAddress: (c) => getConnInfo(c).remote.address,
    trustedProxies: config.http.trustedProxies,
    maxBodyBytes: config.http.maxBodyBytes,
    version: VERSION,
  });

  const dnsServers = await Promise.all(
    config.dns.listen.map((l) =>
      startDnsServer({
        host: l.host,
        port: l.port,
        handler: dispatch({ query: (msg, ctx) => answerQuery(msg, index, ctx) }),
        log,
        tcpIdleTimeoutMs: config.dns.tcpIdleTimeoutMs,
        maxTcpConnections: config.dns.maxTcpConnections,
      }),
    ),
  );
  const httpServers = await Promise.all(config.http.listen.map((l) => listenHttp(app.fetch, l)));

  let closing: Promise<void> | undefined;
  return {
    http: httpServers.map((s) => s.endpoint),
    dns: dnsServers.map((s) => ({ host: s.host, port: s.port })),
    demoZoneCreated,
    close: () =>
      (closing ??= (async () => {
        stopWatching();
        // The mirror worker finishes the delivery in flight (bounded) while requests drain; what is
        // still queued stays in the outbox for the next start.
        await Promise.all([
          ...httpServers.map((s) => drainHttp(s.server, config.shutdownGraceMs)),
          ...dnsServers.map((s) => s.close()),
          mirrors.stop(),
        ]);
        await store.close();
      })()),
  };
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

/** The DNS index hears every change; the mirror worker is kicked once per committed change. */
function kickingMirrors(index: ZoneIndex, mirrors: MirrorWorker): ChangeListener {
  return {
    zoneChanged: (zone) => index.zoneChanged(zone),
    zoneRemoved: (name) => {
      index.zoneRemoved(name);
      mirrors.kick();
    },
    hostChanged: (fqdn, zone, sets) => index.hostChanged(fqdn, zone, sets),
    hostRemoved: (fqdn, zone) => index.hostRemoved(fqdn, zone),
    serialChanged: (zone, serial) => {
      index.serialChanged(zone, serial);
      mirrors.kick();
    },
  };
}

/**
 * Reloads the DNS index when another process (a CLI command) committed to the store, and tells
 * `onChange` (mirrors may have been added, removed or resynced).
 */
function watchExternalChanges(
  store: Store,
  index: ZoneIndex,
  loadedAt: number,
  log: Logger,
  onChange: () => void,
): () => void {
  let seen = loadedAt;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const version = await store.externalVersion();
      if (version !== seen) {
        index.load(await store.snapshot());
        log.info({ version }, "store changed by another process; DNS index reloaded");
        onChange();
      }
      seen = version;
    })()
      .catch((e: unknown) => log.warn({ err: e }, "could not check the store for outside changes"))
      .finally(() => {
        busy = false;
      });
  }, EXTERNAL_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

type FetchHandler = Parameters<typeof serveHttp>[0]["fetch"];

function listenHttp(fetch: FetchHandler, at: Endpoint): Promise<{ server: ServerType; endpoint: Endpoint }> {
  return new Promise((resolve, reject) => {
    const server = serveHttp({ fetch, hostname: at.host, port: at.port }, (info: AddressInfo) =>
      resolve({ server, endpoint: { host: at.host, port: info.port } }),
    );
    server.once("error", reject);
  });
}

/** Stops accepting, lets in-flight requests finish, and cuts what is left after `graceMs`. */
function drainHttp(server: ServerType, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const s = server as HttpServer;
    const cut = setTimeout(() => s.closeAllConnections(), graceMs);
    // A keep-alive connection becomes idle when its in-flight request ends; close it then rather
    // than waiting for the client or keepAliveTimeout.
    const sweep = setInterval(() => s.closeIdleConnections(), 50);
    s.close(() => {
      clearTimeout(cut);
      clearInterval(sweep);
      resolve();
    });
    s.closeIdleConnections();
  });
}
