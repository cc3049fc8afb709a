// Real HTTP backends for the pools' end-to-end tests: one server per loopback address (127.0.0.x),
// all on one port (a pool's check dials every member on the same port), each of which the test can
// stop, start again, make fail (500) or slow (a delay before the reply), or fail only for the
// requests of some processes (the nodes of a cluster: refusing; socket-owner.ts tells them apart).

import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { socketOwner } from "./socket-owner.js";

export interface Backend {
  readonly address: string;
  /** Replies 500 while true. */
  failing: boolean;
  /** Replies 500 to every other request while true (a flapping backend). */
  flapping: boolean;
  /** Waits this long before replying. */
  delayMs: number;
  /** Replies 500 to requests sent by these processes (pids), 200 to the others. */
  readonly refusing: Set<number>;
  /** Requests received (their Host headers). */
  readonly hosts: string[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Starts a backend on each address, all on one free port (the first address's), and resolves with them. */
export async function startBackends(
  addresses: readonly string[],
): Promise<{ port: number; backends: Backend[] }> {
  let port = 0;
  const backends: Backend[] = [];
  for (const address of addresses) {
    const b = backend(address, () => port);
    await b.start();
    if (port === 0) port = b.port();
    backends.push(b);
  }
  return { port, backends };
}

function backend(address: string, port: () => number): Backend & { port(): number } {
  let server: Server | undefined;
  const b = {
    address,
    failing: false,
    flapping: false,
    delayMs: 0,
    refusing: new Set<number>(),
    hosts: [] as string[],
    port: () => (server?.address() as AddressInfo | null)?.port ?? 0,
    start: () =>
      new Promise<void>((resolve, reject) => {
        const s = createServer((req, res) => {
          b.hosts.push(req.headers.host ?? "");
          const fail = b.failing || (b.flapping && b.hosts.length % 2 === 0) || refused(req.socket);
          const reply = (): void => {
            res.writeHead(fail ? 500 : 200, { "content-type": "text/plain" });
            res.end(fail ? "down\n" : "ok\n");
          };
          if (b.delayMs > 0) setTimeout(reply, b.delayMs);
          else reply();
        });
        s.once("error", reject);
        s.listen(port(), address, () => {
          server = s;
          resolve();
        });
      }),
    stop: () => {
      const s = server;
      server = undefined;
      return closeNow(s);
    },
  };
  const refused = (s: Socket): boolean =>
    b.refusing.size > 0 &&
    socketOwner(
      { address: s.remoteAddress ?? "", port: s.remotePort ?? 0 },
      { address, port: port() },
      b.refusing,
    ) !== undefined;
  return b;
}

/** Closes `server` (if any) at once, cutting its open connections; resolves when it is closed. */
export function closeNow(server: Server | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (server === undefined) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
