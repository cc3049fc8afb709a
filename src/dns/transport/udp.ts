// DNS over UDP: one datagram in, at most one datagram out. The handler bounds reply sizes. Datagrams
// above `maxMessageBytes` are dropped unread; replies pass the response-rate limiter, which may drop
// them or send a truncated stand-in (the client retries over TCP).

import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import type { Log } from "../../services/ports.js";
import { noDnsMetrics, type DnsMetrics } from "../metrics.js";
import { slipReply, type ResponseRateLimiter } from "../rrl.js";
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
  /** Default: no rate limiting. */
  readonly rrl?: ResponseRateLimiter;
  /** Default 65535 (no limit beyond the datagram's). */
  readonly maxMessageBytes?: number;
  readonly metrics?: DnsMetrics;
}

/** Binds and resolves once listening; rejects with the bind error (e.g. EADDRINUSE). */
export function startUdp(opts: UdpOptions): Promise<UdpListener> {
  const metrics = opts.metrics ?? noDnsMetrics;
  const maxMessageBytes = opts.maxMessageBytes ?? 65535;
  const socket = dgram.createSocket({ type: isIPv6(opts.host) ? "udp6" : "udp4" });
  return new Promise((resolve, reject) => {
    const onBindError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once("error", onBindError);
    socket.on("message", (msg, rinfo) => {
      metrics.received("udp");
      if (msg.length > maxMessageBytes) {
        metrics.dropped("udp", "too_big");
        return;
      }
      const send = (reply: DnsReply): void => {
        let first = reply instanceof Uint8Array ? reply : reply?.[0];
        if (first === undefined) return;
        const verdict = opts.rrl?.check(rinfo.address, first) ?? "send";
        if (verdict === "drop") {
          metrics.rrl("dropped");
          return;
        }
        if (verdict === "slip") {
          metrics.rrl("slipped");
          first = slipReply(first);
          if (first === undefined) return;
        }
        metrics.responded("udp", first.length > 3 ? first[3]! & 0x0f : 0);
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
