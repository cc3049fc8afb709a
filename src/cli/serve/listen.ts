// The sockets of `beacon serve`: DNS first, then HTTP, then HTTPS (http.tls.listen, each attached to
// the certificate holder, serve/tls.ts), on every configured address.
//
// Contract: each listener is added to `into` as soon as it listens, so when a later one fails the
// caller can still close what did start (serve/shutdown.ts reads the same object). A failure to listen
// rejects with one clear error naming the setting (listen-errors.ts).

import type { ServerConfig } from "../../config/index.js";
import { startDnsServer, type DnsServer } from "../../dns/server.js";
import { startDnsWithWorkers, type TcpSideOptions } from "../../dns/workers/listeners.js";
import type { DnsWorkerPool } from "../../dns/workers/pool.js";
import { drainHttp, listenHttp, type Endpoint, type HttpConnections } from "../http-server.js";
import { listenFailure, type ListenSetting } from "../listen-errors.js";
import type { HttpsCertificates } from "../tls/https-certificates.js";
import type { Server as HttpsServer } from "node:https";

export interface HttpListener {
  readonly endpoint: Endpoint;
  /** Stops accepting, lets in-flight requests finish, and cuts what is left after the grace period. */
  drain(): Promise<void>;
}

/** What listens so far. */
export interface Listeners {
  readonly dns: DnsServer[];
  readonly http: HttpListener[];
  readonly https: HttpListener[];
}

export async function listenAll(
  d: {
    readonly config: ServerConfig;
    readonly dns: TcpSideOptions;
    readonly workers: DnsWorkerPool | undefined;
    readonly fetch: Parameters<typeof listenHttp>[0];
    readonly connections: HttpConnections;
    /** Set when http.tls.listen is: the certificate the HTTPS listeners serve. */
    readonly certificates: HttpsCertificates | undefined;
  },
  into: Listeners,
): Promise<void> {
  const { config } = d;
  await listening("dns.listen", config.dns.listen, () =>
    listenDns(config.dns.listen, d.dns, d.workers, into.dns),
  );
  await listening("http.listen", config.http.listen, async () => {
    for (const l of config.http.listen) {
      const { server, endpoint } = await listenHttp(d.fetch, l, config.http, d.connections);
      into.http.push({ endpoint, drain: () => drainHttp(server, config.shutdownGraceMs) });
    }
  });
  const tls = d.certificates;
  if (tls === undefined) return;
  await listening("http.tls.listen", config.http.tls.listen, async () => {
    for (const l of config.http.tls.listen) {
      const { server, endpoint } = await listenHttp(
        d.fetch,
        l,
        config.http,
        d.connections,
        tls.serverOptions,
      );
      tls.attach(server as HttpsServer);
      into.https.push({ endpoint, drain: () => drainHttp(server, config.shutdownGraceMs) });
    }
  });
}

/** With workers this process serves TCP only; UDP (and what workers forward) goes through the pool. */
async function listenDns(
  listen: readonly Endpoint[],
  options: TcpSideOptions,
  workers: DnsWorkerPool | undefined,
  into: DnsServer[],
): Promise<void> {
  if (workers) into.push(...(await startDnsWithWorkers(listen, workers, options)));
  else for (const l of listen) into.push(await startDnsServer({ host: l.host, port: l.port, ...options }));
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
