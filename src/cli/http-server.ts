// The server's HTTP listeners: the Hono app on node:http (node:https for http.tls.listen), bounded.
// - Connections: at most http.max_connections in all and http.max_connections_per_client from one
//   client network (net/connection-gate.ts), shared by every listener; a refused connection is
//   closed at once, counted (beacon_http_connections_refused_total) and logged in bounded form.
// - Time: a client must finish its request headers within http.headers_timeout (a slowloris sending
//   a byte a second is cut then, with 408), its whole request within REQUEST_TIMEOUT_MS, and an idle
//   keep-alive connection is closed after http.idle_timeout.
// - File descriptors: each connection holds one. Where the open-file limit is known and too low for
//   http.max_connections, the cap is lowered to fit (logged at start): a connection the process has
//   no descriptor for would otherwise be dropped by libuv without a word. A listener that still
//   cannot accept (EMFILE) logs and counts it and goes on.

import { serve as serveHttp, type ServerType } from "@hono/node-server";
import type { Server as HttpServer } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Clock } from "../core/clock.js";
import { createConnectionGate, type ConnectionGate } from "../net/connection-gate.js";
import type { Log } from "../core/log.js";

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface HttpLimits {
  readonly maxConnections: number;
  /** 0: none. */
  readonly maxConnectionsPerClient: number;
  readonly idleTimeoutMs: number;
  readonly headersTimeoutMs: number;
  /** Their connections count toward maxConnections only (they carry many clients). */
  readonly trustedProxies: readonly string[];
}

/** A whole request (headers and body) must arrive within this, or at least the headers timeout. */
const REQUEST_TIMEOUT_MS = 60_000;
/** How often node:http looks for connections past their headers or request timeout. */
const CHECK_EVERY_MS = 1_000;
const REPORT_EVERY_MS = 10_000;

export interface HttpConnections {
  readonly gate: ConnectionGate;
  /** Stops the report timer and writes what is left. */
  stop(): void;
}

/** Descriptors the server holds besides connections: stdio, the store, DNS sockets, the loader, … */
const RESERVED_FDS = 48;

/**
 * The most HTTP connections `fileLimit` descriptors allow: half of what is left after RESERVED_FDS
 * (DNS over TCP needs its share), at most `max`, at least 1; `max` when the limit is unknown.
 */
export function connectionBudget(max: number, fileLimit: number | undefined): number {
  if (fileLimit === undefined) return max;
  return Math.max(1, Math.min(max, Math.floor((fileLimit - RESERVED_FDS) / 2)));
}

/**
 * The connection gate every HTTP listener shares, with its metrics in `metrics`; `fileLimit` (the
 * open-file limit, when known) may lower the cap (connectionBudget), which is logged.
 */
export function httpConnections(
  limits: HttpLimits,
  log: Log,
  clock: Clock,
  metrics?: Registry,
  fileLimit?: number,
): HttpConnections {
  const max = connectionBudget(limits.maxConnections, fileLimit);
  if (max < limits.maxConnections) {
    log.warn(
      { maxConnections: limits.maxConnections, openFileLimit: fileLimit, lowered: max },
      "the open-file limit is too low for http.max_connections; lowered to fit (raise `ulimit -n` or LimitNOFILE=)",
    );
  }
  const refused = new Counter({
    name: "beacon_http_connections_refused_total",
    help: "HTTP connections closed on arrival: total_limit, per_client_limit, accept_failed (e.g. EMFILE)",
    labelNames: ["reason"],
    registers: metrics === undefined ? [] : [metrics],
  });
  const gate = createConnectionGate({
    what: "HTTP",
    max,
    perClient: limits.maxConnectionsPerClient,
    exempt: limits.trustedProxies,
    log,
    clock,
    reportEveryMs: REPORT_EVERY_MS,
    onRefused: (reason) => refused.inc({ reason }),
  });
  new Gauge({
    name: "beacon_http_connections_open",
    help: "HTTP connections open now",
    registers: metrics === undefined ? [] : [metrics],
    collect() {
      this.set(gate.open());
    },
  });
  const timer = setInterval(() => gate.flush(), REPORT_EVERY_MS);
  timer.unref();
  return {
    gate,
    stop: () => {
      clearInterval(timer);
      gate.flush();
    },
  };
}

type FetchHandler = Parameters<typeof serveHttp>[0]["fetch"];

/**
 * Listens on `at`; rejects with the listen error (EADDRINUSE, EACCES, …). With `tls` (https.createServer
 * options, cli/tls/https-certificates.ts) it serves HTTPS under the same limits and connection gate;
 * the gate counts a connection from its TCP accept, before the handshake.
 */
export function listenHttp(
  fetch: FetchHandler,
  at: Endpoint,
  limits: HttpLimits,
  connections: HttpConnections,
  tls?: HttpsServerOptions,
): Promise<{ server: ServerType; endpoint: Endpoint }> {
  return new Promise((resolve, reject) => {
    const serverOptions = {
      keepAliveTimeout: limits.idleTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(REQUEST_TIMEOUT_MS, limits.headersTimeoutMs),
      connectionsCheckingInterval: CHECK_EVERY_MS,
    };
    const common = { fetch, hostname: at.host, port: at.port };
    const server = serveHttp(
      tls === undefined
        ? { ...common, serverOptions }
        : { ...common, createServer: createHttpsServer, serverOptions: { ...serverOptions, ...tls } },
      (info: AddressInfo) => {
        server.off("error", reject);
        // After listening, an error is a connection that could not be accepted: never fatal.
        server.on("error", (e: NodeJS.ErrnoException) => connections.gate.acceptFailed(e.code));
        resolve({ server, endpoint: { host: at.host, port: info.port } });
      },
    );
    server.once("error", reject);
    // Before node:http sees the connection: a refused one is closed without a parser or a request.
    server.prependListener("connection", (socket: Socket) => {
      const release = connections.gate.admit(socket.remoteAddress);
      if (release === undefined) socket.destroy();
      else socket.once("close", release);
    });
  });
}

/** Stops accepting, lets in-flight requests finish, and cuts what is left after `graceMs`. */
export function drainHttp(server: ServerType, graceMs: number): Promise<void> {
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
