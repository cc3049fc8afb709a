// DNS over TCP: length-prefixed messages, several per connection, answered in order. TCP is never
// rate-limited (it is where truncated UDP clients come back), so it is bounded instead:
// - at most `maxConnections` connections (plus `reservedConnections` for transfer peers), at most
//   `maxConnectionsPerClient` from one client network (`networkOf`); a new connection is never
//   refused: at a limit an open connection is closed instead (tcp-slots.ts says which);
// - a connection is closed after `idleTimeoutMs` without traffic, `lifetimeMs` after it opened, on a
//   frame shorter than a header or longer than `maxMessageBytes` (from its length prefix, before the
//   body is buffered), or on a socket error;
// - writes respect back-pressure: while the socket's buffer is full, or while `maxQueuedReplies`
//   replies wait to be flushed to the client, no further frame is read, so a client that pipelines
//   queries without reading the answers holds a bounded amount of the server's memory.

import net from "node:net";
import type { Log } from "../../core/log.js";
import { noDnsMetrics, type DnsMetrics } from "../metrics.js";
import type { DnsHandler, DnsReply } from "../answer/types.js";
import { FrameReader } from "./frames.js";
import { safeHandle } from "./safe-handle.js";
import { SlotTable, type Slot } from "./tcp-slots.js";

export interface TcpListener {
  readonly host: string;
  readonly port: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  readonly handler: DnsHandler;
  readonly log: Log;
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
  /** Per client network (`networkOf`). Default: no limit beyond maxConnections. */
  readonly maxConnectionsPerClient?: number;
  /** A client's network; undefined: the address alone. Default: the address. */
  readonly networkOf?: (address: string) => string | undefined;
  /** Connections kept, beyond maxConnections, for clients `privileged` says yes to. Default 0. */
  readonly reservedConnections?: number;
  /** Clients that may use the reserved connections (zone-transfer peers). Default: none. */
  readonly privileged?: (address: string) => boolean;
  /** Default: no limit. */
  readonly lifetimeMs?: number;
  /** Default 65535 (the largest a length prefix can say). */
  readonly maxMessageBytes?: number;
  /** Default 64. */
  readonly maxQueuedReplies?: number;
  readonly metrics?: DnsMetrics;
}

/** Listens and resolves once listening; rejects with the listen error (e.g. EADDRINUSE). */
export function startTcp(opts: TcpOptions): Promise<TcpListener> {
  const metrics = opts.metrics ?? noDnsMetrics;
  const sockets = new Set<net.Socket>();
  const table = new SlotTable<net.Socket>({
    total: opts.maxConnections,
    perNetwork: opts.maxConnectionsPerClient ?? Infinity,
    reserved: opts.reservedConnections ?? 0,
  });
  const server = net.createServer((socket) => {
    const address = socket.remoteAddress ?? "";
    const network = opts.networkOf?.(address) ?? address;
    const { slot, evicted } = table.admit(socket, network, opts.privileged?.(address) === true);
    for (const e of evicted) {
      metrics.tcpClosed(e.reason);
      e.slot.item.destroy();
    }
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      table.release(slot);
    });
    serveConnection(socket, slot, table, opts, metrics);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
      server.off("error", reject);
      server.on("error", (err) => opts.log.warn({ err }, "tcp server error"));
      const address = server.address() as net.AddressInfo;
      resolve({
        host: address.address,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

function serveConnection(
  socket: net.Socket,
  slot: Slot<net.Socket>,
  table: SlotTable<net.Socket>,
  opts: TcpOptions,
  metrics: DnsMetrics,
): void {
  const remoteAddress = socket.remoteAddress ?? "";
  const maxQueued = Math.max(1, opts.maxQueuedReplies ?? 64);
  const frames = new FrameReader();
  let blocked = false;
  let closing = false;
  /** Replies handed to the socket and not yet flushed to the kernel. */
  let unflushed = 0;
  let onFlushed: (() => void) | undefined;

  socket.setNoDelay(true);
  socket.setTimeout(opts.idleTimeoutMs, () => {
    metrics.tcpClosed("idle");
    socket.destroy();
  });
  if (opts.lifetimeMs !== undefined) {
    const lifetime = setTimeout(() => {
      metrics.tcpClosed("lifetime");
      socket.destroy();
    }, opts.lifetimeMs);
    lifetime.unref();
    socket.once("close", () => clearTimeout(lifetime));
  }
  socket.on("error", (err) => opts.log.debug({ err, remoteAddress }, "tcp connection error"));

  const flushed = (): void => {
    unflushed--;
    if (onFlushed !== undefined && unflushed < maxQueued) {
      const resume = onFlushed;
      onFlushed = undefined;
      resume();
    }
  };

  /** Writes the reply's frames; false when the socket's buffer is full (wait for drain). */
  const write = (reply: DnsReply): boolean => {
    if (reply === undefined) return true;
    let ok = true;
    for (const msg of reply instanceof Uint8Array ? [reply] : reply) {
      const out = Buffer.allocUnsafe(2 + msg.length);
      out.writeUInt16BE(msg.length, 0);
      out.set(msg, 2);
      metrics.responded("tcp", msg.length > 3 ? msg[3]! & 0x0f : 0);
      table.touch(slot);
      unflushed++;
      ok = socket.write(out, flushed);
    }
    return ok;
  };

  /** Stops reading until `ready` settles; then writes what it gave and reads on. */
  const hold = (ready: Promise<DnsReply> | "drain" | "flush"): void => {
    blocked = true;
    socket.pause();
    const resume = (): void => {
      blocked = false;
      socket.resume();
      pump();
    };
    if (ready === "drain") {
      socket.once("drain", resume);
      return;
    }
    if (ready === "flush") {
      onFlushed = resume;
      return;
    }
    void ready.then((reply) => {
      if (socket.destroyed) return;
      if (write(reply)) resume();
      else socket.once("drain", resume);
    });
  };

  const pump = (): void => {
    while (!blocked && !closing && !socket.destroyed) {
      const frame = frames.next(opts.maxMessageBytes);
      if (frame === undefined) return;
      if (frame === "too-short" || frame === "too-long") {
        if (frame === "too-long") metrics.dropped("tcp", "too_big");
        metrics.tcpClosed("bad_frame");
        closing = true;
        socket.end();
        return;
      }
      metrics.received("tcp");
      const reply = safeHandle(opts.handler, opts.log, frame, "tcp", remoteAddress);
      if (reply instanceof Promise) hold(reply);
      else if (!write(reply)) hold("drain");
      else if (unflushed >= maxQueued) hold("flush");
    }
  };

  socket.on("data", (chunk: Buffer) => {
    if (closing) return;
    table.touch(slot);
    frames.push(chunk);
    pump();
  });
}
