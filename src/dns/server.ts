// Serves DNS on one address over UDP and TCP on the same port.

import type { Log } from "../core/log.js";
import type { DnsMetrics } from "./metrics.js";
import type { ResponseRateLimiter } from "./rrl.js";
import { startTcp, type TcpOptions } from "./transport/tcp.js";
import { startUdp } from "./transport/udp.js";
import type { DnsHandler } from "./answer/types.js";

export type { DnsHandler } from "./answer/types.js";

export interface DnsServerOptions {
  /** IPv4 or IPv6 literal. */
  readonly host: string;
  /** 0: UDP picks a free port and TCP binds the same one. */
  readonly port: number;
  readonly handler: DnsHandler;
  readonly log: Log;
  /** Default 10 000. */
  readonly tcpIdleTimeoutMs?: number;
  /** Default 256; a new connection beyond it closes an open one (transport/tcp-slots.ts). */
  readonly maxTcpConnections?: number;
  /** Per client network (`tcpNetworkOf`). Default: no per-client limit. */
  readonly maxTcpConnectionsPerClient?: number;
  /** The client network TCP connections are counted by. Default: the address itself. */
  readonly tcpNetworkOf?: (address: string) => string | undefined;
  /** TCP connections kept, beyond maxTcpConnections, for `tcpPrivileged` clients. Default 0. */
  readonly reservedTcpConnections?: number;
  /** Clients that may use the reserved TCP connections (zone-transfer peers). Default: none. */
  readonly tcpPrivileged?: (address: string) => boolean;
  /** A TCP connection is closed this long after it opened, busy or not. Default: never. */
  readonly tcpLifetimeMs?: number;
  /** Replies a TCP connection may have waiting to be flushed before the server stops reading it. Default 64. */
  readonly maxTcpQueuedReplies?: number;
  /** Larger UDP datagrams are dropped, larger TCP frames close the connection. Default 65535. */
  readonly maxMessageBytes?: number;
  /** Applied to UDP responses only. Default: none. */
  readonly rrl?: ResponseRateLimiter;
  readonly metrics?: DnsMetrics;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening on both transports and ends open TCP connections. */
  close(): Promise<void>;
}

/** The TCP listener's options, with the server's defaults, for `host`:`port`. */
export function tcpOptions(
  opts: Omit<DnsServerOptions, "host" | "port">,
  host: string,
  port: number,
): TcpOptions {
  return {
    host,
    port,
    handler: opts.handler,
    log: opts.log,
    idleTimeoutMs: opts.tcpIdleTimeoutMs ?? 10_000,
    maxConnections: opts.maxTcpConnections ?? 256,
    maxConnectionsPerClient: opts.maxTcpConnectionsPerClient,
    networkOf: opts.tcpNetworkOf,
    reservedConnections: opts.reservedTcpConnections,
    privileged: opts.tcpPrivileged,
    lifetimeMs: opts.tcpLifetimeMs,
    maxQueuedReplies: opts.maxTcpQueuedReplies,
    maxMessageBytes: opts.maxMessageBytes,
    metrics: opts.metrics,
  };
}

/** With port 0 the TCP port may be taken between the two binds; then both are retried this often. */
const PORT_ATTEMPTS = 5;

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  for (let attempt = 1; ; attempt++) {
    const udp = await startUdp({
      host: opts.host,
      port: opts.port,
      handler: opts.handler,
      log: opts.log,
      rrl: opts.rrl,
      maxMessageBytes: opts.maxMessageBytes,
      metrics: opts.metrics,
    });
    try {
      const tcp = await startTcp(tcpOptions(opts, opts.host, udp.port));
      return {
        host: udp.host,
        port: udp.port,
        close: async () => {
          await Promise.all([udp.close(), tcp.close()]);
        },
      };
    } catch (err) {
      await udp.close();
      const inUse = (err as NodeJS.ErrnoException).code === "EADDRINUSE";
      if (opts.port !== 0 || !inUse || attempt >= PORT_ATTEMPTS) throw err;
      opts.log.debug({ port: udp.port, attempt }, "tcp port taken; retrying with a new port");
    }
  }
}
