// A minimal stub resolver for the agent's DNS-based IP sources: one question to one server. UDP
// first, from a fresh socket on an OS-chosen (random) port with a random ID; the socket is connected,
// so the kernel drops datagrams from any other address. Replies for another ID or question are
// ignored (spoofing attempts), TC retries over TCP, a reply that cannot be read rejects. The caller's
// signal bounds the whole exchange.

import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import type { DnsQuery, DnsQueryOptions, DnsReply } from "./ports.js";
import { BeaconError } from "../../core/errors.js";
import { parseIp } from "../../core/ip.js";
import { tryNormalizeName } from "../../core/names.js";
import { decodeClientReply, encodeClientQuery, type ClientQuestion } from "./codec.js";

export interface DnsQueryConfig {
  /** Resend the UDP query (same ID) after this long without a reply (default 1000 ms). */
  readonly retransmitMs?: number;
}

export function createDnsQuery(config: DnsQueryConfig = {}): DnsQuery {
  const retransmitMs = config.retransmitMs ?? 1000;
  return async (opts) => {
    const server = parseIp(opts.server);
    if (server === undefined)
      throw new BeaconError("bad_request", `DNS server ${JSON.stringify(opts.server)} is not an IP address`);
    const name = tryNormalizeName(opts.name);
    if (name === undefined)
      throw new BeaconError("invalid_hostname", `${JSON.stringify(opts.name)} is not a domain name`);
    const q: ClientQuestion = { name, type: opts.type, qclass: opts.qclass ?? "IN" };
    const where = `${q.name} ${q.qclass} ${q.type} @${server.text}`;
    if (opts.signal.aborted) throw new BeaconError("aborted", `${where}: aborted before sending`);
    const target = { ...opts, server: server.text, port: opts.port ?? 53 };
    const udp = await overUdp(target, q, where, server.family, retransmitMs);
    return udp ?? (await overTcp(target, q, where));
  };
}

type Target = DnsQueryOptions & { readonly port: number };

/** Resolves with the reply, or undefined when it was truncated (ask over TCP). */
function overUdp(
  t: Target,
  q: ClientQuestion,
  where: string,
  family: 4 | 6,
  retransmitMs: number,
): Promise<DnsReply | undefined> {
  const id = randomInt(0, 0x10000);
  const query = encodeClientQuery(id, q);
  const socket = dgram.createSocket(family === 4 ? "udp4" : "udp6");
  let ignored = 0;
  let timer: NodeJS.Timeout | undefined;

  return new Promise<DnsReply | undefined>((resolve, reject) => {
    let done = false;
    const finish = (err: BeaconError | undefined, reply?: DnsReply) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      t.signal.removeEventListener("abort", onAbort);
      socket.close();
      if (err) reject(err);
      else resolve(reply);
    };
    const onAbort = () =>
      finish(
        new BeaconError(
          "aborted",
          `${where}: no answer before the deadline${ignored > 0 ? ` (ignored ${ignored} replies that did not match the query)` : ""}`,
        ),
      );
    t.signal.addEventListener("abort", onAbort, { once: true });

    socket.on("error", (e) =>
      finish(new BeaconError("network_error", `${where}: ${e.message}`, { cause: e })),
    );
    socket.on("message", (msg) => {
      const r = decodeClientReply(new Uint8Array(msg), id, q);
      if (r.kind === "mismatch") ignored++;
      else if (r.kind === "malformed") finish(new BeaconError("malformed_reply", `${where}: ${r.reason}`));
      else if (r.kind === "truncated") finish(undefined, undefined);
      else finish(undefined, { rcode: r.rcode, answers: r.answers });
    });
    const send = () =>
      socket.send(query, (e) => e && finish(new BeaconError("network_error", `${where}: ${e.message}`)));
    socket.bind({ port: 0, ...(t.localAddress === undefined ? {} : { address: t.localAddress }) }, () => {
      // An abort can land while bind is pending; a closed socket must not be connected.
      if (done) return;
      socket.connect(t.port, t.server, () => {
        if (done) return;
        send();
        timer = setInterval(send, retransmitMs);
      });
    });
  });
}

function overTcp(t: Target, q: ClientQuestion, where: string): Promise<DnsReply> {
  const id = randomInt(0, 0x10000);
  const query = encodeClientQuery(id, q);
  const framed = Buffer.alloc(2 + query.length);
  framed.writeUInt16BE(query.length, 0);
  framed.set(query, 2);

  return new Promise<DnsReply>((resolve, reject) => {
    const socket = net.connect({
      host: t.server,
      port: t.port,
      ...(t.localAddress === undefined ? {} : { localAddress: t.localAddress }),
    });
    let done = false;
    const finish = (err: BeaconError | undefined, reply?: DnsReply) => {
      if (done) return;
      done = true;
      t.signal.removeEventListener("abort", onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const onAbort = () => finish(new BeaconError("aborted", `${where} (tcp): no answer before the deadline`));
    t.signal.addEventListener("abort", onAbort, { once: true });

    let buf = Buffer.alloc(0);
    socket.on("connect", () => socket.write(framed));
    socket.on("error", (e) =>
      finish(new BeaconError("network_error", `${where} (tcp): ${e.message}`, { cause: e })),
    );
    socket.on("close", () =>
      finish(new BeaconError("network_error", `${where} (tcp): closed before a reply`)),
    );
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const r = decodeClientReply(new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0))), id, q);
      // Over TCP nobody off-path can inject, so a reply that is not ours is a broken server.
      if (r.kind === "reply") finish(undefined, { rcode: r.rcode, answers: r.answers });
      else if (r.kind === "truncated")
        finish(new BeaconError("malformed_reply", `${where} (tcp): truncated reply`));
      else finish(new BeaconError("malformed_reply", `${where} (tcp): ${r.reason}`));
    });
  });
}
