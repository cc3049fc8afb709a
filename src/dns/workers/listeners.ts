// DNS on every address with UDP in the worker pool and TCP in this (the primary) process. The primary
// must not bind the UDP port itself (it would take the workers' traffic), so TCP binds first; with
// port 0 the port TCP got is checked free for UDP (a throwaway bind, closed again) before the workers
// bind it, and both are retried on a new port when it is not, or when the workers then cannot bind it
// (another process took it meanwhile). A configured port that is taken fails the start (EADDRINUSE).

import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import { tcpOptions, type DnsServer, type DnsServerOptions } from "../server.js";
import { startTcp, type TcpListener } from "../transport/tcp.js";
import type { DnsWorkerPool } from "./pool.js";
import type { Endpoint } from "./protocol.js";

/** The TCP side of DnsServerOptions (UDP options reach the workers through the pool's limits). */
export type TcpSideOptions = Omit<DnsServerOptions, "host" | "port" | "rrl">;

const PORT_ATTEMPTS = 5;

export async function startDnsWithWorkers(
  listen: readonly Endpoint[],
  pool: DnsWorkerPool,
  opts: TcpSideOptions,
): Promise<DnsServer[]> {
  for (let attempt = 1; ; attempt++) {
    const tcps: TcpListener[] = [];
    try {
      for (const at of listen) tcps.push(await bindTcp(at, opts));
      await pool.start(
        tcps.map((t) => ({ host: t.host, port: t.port })),
        opts.handler,
      );
      return tcps.map((t) => ({ host: t.host, port: t.port, close: () => t.close() }));
    } catch (err) {
      await Promise.all(tcps.map((t) => t.close()));
      // Another process took a port picked for us between the check and the workers' bind: pick again.
      const retry = (err as NodeJS.ErrnoException).code === "EADDRINUSE" && listen.some((l) => l.port === 0);
      if (!retry || attempt >= PORT_ATTEMPTS) throw err;
      opts.log.warn({ err, attempt }, "dns workers could not bind a picked port; retrying with new ports");
    }
  }
}

async function bindTcp(at: Endpoint, opts: TcpSideOptions): Promise<TcpListener> {
  for (let attempt = 1; ; attempt++) {
    const tcp = await startTcp(tcpOptions(opts, at.host, at.port));
    if (at.port !== 0) return tcp;
    const err = await udpFree(tcp.host, tcp.port);
    if (err === undefined) return tcp;
    await tcp.close();
    if (err.code !== "EADDRINUSE" || attempt >= PORT_ATTEMPTS) throw err;
    opts.log.debug({ port: tcp.port, attempt }, "udp port taken; retrying with a new port");
  }
}

/** Undefined when UDP can bind host:port right now (the socket is closed again before returning). */
function udpFree(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  const socket = dgram.createSocket({ type: isIPv6(host) ? "udp6" : "udp4" });
  return new Promise((resolve) => {
    socket.once("error", (err: NodeJS.ErrnoException) => {
      socket.close();
      resolve(err);
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(undefined)));
  });
}
