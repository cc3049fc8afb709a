// The one outbound DNS transport: one message exchanged with one server over UDP or TCP. The RFC 2136
// provider and the NOTIFY sender use it through the DnsExchange port; the stub resolver (query.ts)
// stands on it with its own accept rule. The message is sent as given (already signed); the reply's
// bytes come back unparsed except for the accept rule, so TSIG verification stays with the caller.
//
// Contract:
// - The accept rule (`mismatch`) says why a reply is not the response to the message, or undefined
//   when it is. Default: same ID, QR set, same opcode. A caller that asks a question passes a stricter
//   rule (the question must be ours too); a rule may take a reply too broken to judge, for the caller
//   to reject once it reads it.
// - UDP: a fresh socket on an OS-chosen (random) port, connected to the server so the kernel drops
//   datagrams from anyone else; the message is resent (same bytes) every `retransmitMs` up to
//   `maxSends` times. A datagram the accept rule refuses is ignored and counted, and the wait goes on
//   (an off-path spoofer must guess the ID and the question). A truncated (TC) reply is returned as
//   is: the caller decides whether to ask again over TCP.
// - TCP: 2-byte length framing both ways, replies bounded by 65535 octets, partial reads joined. A
//   reply the accept rule refuses is malformed_reply (nobody off-path can inject into TCP).
// - Rejects with BeaconError: aborted (the signal fired; nothing is sent once it has), network_error
//   (socket errors, connection closed early), malformed_reply; bad_request for an unusable request
//   (not an IP literal, message too short or too long). The signal bounds the whole exchange.

import dgram from "node:dgram";
import net from "node:net";
import { BeaconError } from "../../core/errors.js";
import type { DnsExchangeRequest } from "./ports.js";
import { HEADER_SIZE, MAX_TCP_MESSAGE } from "../wire/constants.js";

export interface DnsExchangeConfig {
  /** Resend an unanswered UDP message after this long (default 1000 ms). */
  readonly retransmitMs?: number;
  /** Most UDP sends, the first included (default 5; Infinity: until the signal fires). */
  readonly maxSends?: number;
}

/** The port's request, plus what a caller standing on this adapter may add. */
export interface ExchangeRequest extends DnsExchangeRequest {
  /** The accept rule: why `reply` is not the response, or undefined when it is (default: the header rule). */
  readonly mismatch?: (reply: Uint8Array) => string | undefined;
  /** Names the exchange in error messages (default "<transport> <server>:<port>"). */
  readonly label?: string;
}

/** An adapter of the DnsExchange port that also takes an accept rule and a label. */
export type DnsMessageExchange = (req: ExchangeRequest) => Promise<Uint8Array>;

interface Timing {
  readonly retransmitMs: number;
  readonly maxSends: number;
}

export function createDnsExchange(config: DnsExchangeConfig = {}): DnsMessageExchange {
  const timing: Timing = { retransmitMs: config.retransmitMs ?? 1000, maxSends: config.maxSends ?? 5 };
  return async (req) => {
    const family = net.isIP(req.server);
    const host = req.server.includes(":") ? `[${req.server}]` : req.server;
    const where = req.label ?? `${req.transport} ${host}:${req.port}`;
    if (family === 0) throw new BeaconError("bad_request", `DNS server "${req.server}" is not an IP address`);
    if (req.message.length < HEADER_SIZE || req.message.length > MAX_TCP_MESSAGE)
      throw new BeaconError("bad_request", `${where}: a DNS message of ${req.message.length} octets`);
    if (req.signal.aborted) throw new BeaconError("aborted", `${where}: aborted before sending`);
    const mismatch = req.mismatch ?? ((reply: Uint8Array) => headerMismatch(req.message, reply));
    return req.transport === "udp"
      ? overUdp(req, mismatch, where, family === 4 ? "udp4" : "udp6", timing)
      : overTcp(req, mismatch, where);
  };
}

/** The default accept rule: why `reply` is not the response to `query` by its header, or undefined. */
function headerMismatch(query: Uint8Array, reply: Uint8Array): string | undefined {
  if (reply.length < HEADER_SIZE) return `a reply of ${reply.length} octets`;
  if (reply[0] !== query[0] || reply[1] !== query[1]) return "a reply with another ID";
  if ((reply[2]! & 0x80) === 0) return "a message that is not a response";
  if ((reply[2]! & 0x78) !== (query[2]! & 0x78)) return "a reply with another opcode";
  return undefined;
}

type Mismatch = (reply: Uint8Array) => string | undefined;

function overUdp(
  req: ExchangeRequest,
  mismatch: Mismatch,
  where: string,
  kind: "udp4" | "udp6",
  timing: Timing,
): Promise<Uint8Array> {
  const socket = dgram.createSocket(kind);
  let timer: NodeJS.Timeout | undefined;
  let ignored = 0;
  let sends = 0;
  return new Promise<Uint8Array>((resolve, reject) => {
    let done = false;
    const finish = (err: BeaconError | undefined, reply?: Uint8Array) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      req.signal.removeEventListener("abort", onAbort);
      socket.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const onAbort = () => {
      const note = ignored > 0 ? ` (ignored ${ignored} replies that did not match)` : "";
      finish(new BeaconError("aborted", `${where}: no reply before the deadline${note}`));
    };
    req.signal.addEventListener("abort", onAbort, { once: true });
    socket.on("error", (e) =>
      finish(new BeaconError("network_error", `${where}: ${e.message}`, { cause: e })),
    );
    socket.on("message", (msg: Buffer) => {
      if (done) return;
      const reply = new Uint8Array(msg);
      if (mismatch(reply) === undefined) finish(undefined, reply);
      else ignored++;
    });
    const send = () => {
      if (sends >= timing.maxSends) return clearInterval(timer);
      sends++;
      socket.send(
        req.message,
        (e) => e && finish(new BeaconError("network_error", `${where}: ${e.message}`)),
      );
    };
    const local = req.localAddress === undefined ? {} : { address: req.localAddress };
    socket.bind({ port: 0, ...local }, () => {
      // The signal can fire while bind is pending; a closed socket must not be connected.
      if (done) return;
      socket.connect(req.port, req.server, () => {
        if (done) return;
        send();
        timer = setInterval(send, timing.retransmitMs);
      });
    });
  });
}

function overTcp(req: ExchangeRequest, mismatch: Mismatch, where: string): Promise<Uint8Array> {
  const framed = new Uint8Array(2 + req.message.length);
  framed[0] = req.message.length >> 8;
  framed[1] = req.message.length & 0xff;
  framed.set(req.message, 2);
  return new Promise<Uint8Array>((resolve, reject) => {
    const socket = net.connect({
      host: req.server,
      port: req.port,
      ...(req.localAddress === undefined ? {} : { localAddress: req.localAddress }),
    });
    let done = false;
    const finish = (err: BeaconError | undefined, reply?: Uint8Array) => {
      if (done) return;
      done = true;
      req.signal.removeEventListener("abort", onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const onAbort = () => finish(new BeaconError("aborted", `${where}: no reply before the deadline`));
    req.signal.addEventListener("abort", onAbort, { once: true });

    const chunks: Buffer[] = [];
    let have = 0;
    socket.on("connect", () => socket.write(framed));
    socket.on("error", (e) =>
      finish(new BeaconError("network_error", `${where}: ${e.message}`, { cause: e })),
    );
    socket.on("close", () =>
      finish(new BeaconError("network_error", `${where}: connection closed before a whole reply`)),
    );
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (have < 2) return;
      const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, have);
      chunks.length = 0;
      chunks.push(buf);
      const size = buf.readUInt16BE(0);
      if (have < 2 + size) return;
      const reply = new Uint8Array(buf.subarray(2, 2 + size));
      const wrong = mismatch(reply);
      if (wrong === undefined) finish(undefined, reply);
      else finish(new BeaconError("malformed_reply", `${where}: ${wrong}`));
    });
  });
}
