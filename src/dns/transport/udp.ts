// DNS over UDP: one datagram in, at most one datagram out. The handler bounds reply sizes. Datagrams
// above `maxMessageBytes` are dropped unread; replies pass the response-rate limiter, which may drop
// them or send a truncated stand-in (the client retries over TCP).

import dgram, { type RemoteInfo } from "node:dgram";
import { isIPv6 } from "node:net";
import type { Log } from "../../core/log.js";
import { noDnsMetrics, type DnsMetrics } from "../metrics.js";
import { slipReply, type ResponseRateLimiter } from "../rrl.js";
import type { DnsHandler, DnsReply } from "../answer/types.js";
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
  /** Default true. false: inside a node:cluster worker, share the primary's socket for this address. */
  readonly exclusive?: boolean;
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
    // One function per socket, not per message: the query path allocates only what Node and the
    // handler must (the reply and the context object).
    const send = (reply: DnsReply, rinfo: RemoteInfo): void => {
      let first = reply instanceof Uint8Array ? reply : reply?.[0];
      if (first === undefined) return;
      const verdict = opts.rrl?.check(rinfo.address, first) ?? "send";
      if (verdict !== "send") {
        metrics.rrl(verdict === "drop" ? "dropped" : "slipped");
        if (verdict === "drop") return;
        first = slipReply(first);
        if (first === undefined) return;
      }
      metrics.responded("udp", first.length > 3 ? first[3]! & 0x0f : 0);
      // No callback: Node then tries a synchronous send first (uv_udp_try_send) instead of queueing a
      // request, which is most of the difference to a bare echo. Send errors arrive as "error" events.
      socket.send(first, rinfo.port, rinfo.address);
    };
    socket.on("message", (msg, rinfo) => {
      metrics.received("udp");
      if (msg.length > maxMessageBytes) {
        metrics.dropped("udp", "too_big");
        return;
      }
      const reply = safeHandle(opts.handler, opts.log, msg, "udp", rinfo.address);
      if (reply instanceof Promise) void reply.then((r) => send(r, rinfo));
      else send(reply, rinfo);
    });
    socket.bind({ address: opts.host, port: opts.port, exclusive: opts.exclusive ?? true }, () => {
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
