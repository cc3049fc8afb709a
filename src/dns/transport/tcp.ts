// DNS over TCP: length-prefixed messages, several per connection, answered in order. A connection
// is closed after `idleTimeoutMs` without traffic, on a frame shorter than a header, or on a socket
// error; connections beyond `maxConnections` are destroyed on arrival. Writes respect back-pressure:
// while the socket's buffer is full no further frame is read.

import net from "node:net";
import type { Log } from "../../services/ports.js";
import type { DnsHandler, DnsReply } from "../types.js";
import { FrameReader } from "./frames.js";
import { safeHandle } from "./safe-handle.js";

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
}

/** Listens and resolves once listening; rejects with the listen error (e.g. EADDRINUSE). */
export function startTcp(opts: TcpOptions): Promise<TcpListener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    if (sockets.size >= opts.maxConnections) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveConnection(socket, opts);
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

function serveConnection(socket: net.Socket, opts: TcpOptions): void {
  const remoteAddress = socket.remoteAddress ?? "";
  const frames = new FrameReader();
  let blocked = false;
  let closing = false;

  socket.setNoDelay(true);
  socket.setTimeout(opts.idleTimeoutMs, () => socket.destroy());
  socket.on("error", (err) => opts.log.debug({ err, remoteAddress }, "tcp connection error"));

  /** Writes the reply's frames; false when the socket's buffer is full (wait for drain). */
  const write = (reply: DnsReply): boolean => {
    if (reply === undefined) return true;
    let ok = true;
    for (const msg of reply instanceof Uint8Array ? [reply] : reply) {
      const out = Buffer.allocUnsafe(2 + msg.length);
      out.writeUInt16BE(msg.length, 0);
      out.set(msg, 2);
      ok = socket.write(out);
    }
    return ok;
  };

  /** Stops reading until `ready` settles; then writes what it gave and reads on. */
  const hold = (ready: Promise<DnsReply> | "drain"): void => {
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
    void ready.then((reply) => {
      if (socket.destroyed) return;
      if (write(reply)) resume();
      else socket.once("drain", resume);
    });
  };

  const pump = (): void => {
    while (!blocked && !closing) {
      const frame = frames.next();
      if (frame === undefined) return;
      if (frame === "too-short") {
        closing = true;
        socket.end();
        return;
      }
      const reply = safeHandle(opts.handler, opts.log, frame, "tcp", remoteAddress);
      if (reply instanceof Promise) hold(reply);
      else if (!write(reply)) hold("drain");
    }
  };

  socket.on("data", (chunk: Buffer) => {
    if (closing) return;
    frames.push(chunk);
    pump();
  });
}
