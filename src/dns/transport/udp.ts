// DNS over UDP: one datagram in, at most one datagram out. The handler bounds reply sizes.

import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import type { Log } from "../../services/ports.js";
import type { DnsHandler, DnsReply } from "../types.js";
import { safeHandle } from "./safe-handle.js";

export interface UdpListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface UdpOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly handler: DnsHandler;
  readonly log: Log;
}

/** Binds and resolves once listening; rejects with the bind error (e.g. EADDRINUSE). */
export function startUdp(opts: UdpOptions): Promise<UdpListener> {
  const socket = dgram.createSocket({ type: isIPv6(opts.host) ? "udp6" : "udp4" });
  return new Promise((resolve, reject) => {
    const onBindError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once("error", onBindError);
    socket.on("message", (msg, rinfo) => {
      const send = (reply: DnsReply): void => {
        const first = reply instanceof Uint8Array ? reply : reply?.[0];
        if (first === undefined) return;
        socket.send(first, rinfo.port, rinfo.address, (err) => {
          if (err) opts.log.debug({ err, remoteAddress: rinfo.address }, "udp send failed");
        });
      };
      const reply = safeHandle(opts.handler, opts.log, msg, "udp", rinfo.address);
      if (reply instanceof Promise) void reply.then(send);
      else send(reply);
    });
    socket.bind({ address: opts.host, port: opts.port, exclusive: true }, () => {
      socket.off("error", onBindError);
      socket.on("error", (err) => opts.log.warn({ err }, "udp socket error"));
      const address = socket.address();
      resolve({
        host: address.address,
        port: address.port,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
