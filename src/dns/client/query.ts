// A minimal stub resolver for the agent's DNS-based IP sources: one question to one server, standing
// on the one DNS transport (exchange.ts) with the question as its accept rule.
//
// Contract:
// - UDP first, with a random ID, resent (same ID) every `retransmitMs` until the caller's signal
//   fires; the transport's fresh, connected socket drops datagrams from any other address.
// - A UDP reply for another ID or another question is ignored and the wait goes on (spoofing
//   attempts; codec.ts clientReplyMismatch). A truncated (TC) reply is asked again over TCP with a new
//   ID. A reply that is ours but cannot be read, a TCP reply that is not ours, and a truncated TCP
//   reply reject with malformed_reply.
// - Rejects with BeaconError: bad_request (server not an IP literal), invalid_hostname, aborted (the
//   signal bounds the whole exchange; nothing is sent once it has fired), network_error,
//   malformed_reply.

import { randomInt } from "node:crypto";
import type { DnsExchangeRequest, DnsQuery, DnsReply } from "./ports.js";
import { BeaconError } from "../../core/errors.js";
import { parseIp } from "../../core/ip.js";
import { tryNormalizeName } from "../../core/names.js";
import { clientReplyMismatch, decodeClientReply, encodeClientQuery, type ClientQuestion } from "./codec.js";
import { createDnsExchange, type DnsMessageExchange } from "./exchange.js";

export interface DnsQueryConfig {
  /** Resend the UDP query (same ID) after this long without a reply (default 1000 ms). */
  readonly retransmitMs?: number;
}

export function createDnsQuery(config: DnsQueryConfig = {}): DnsQuery {
  // No cap on resends: the caller's signal is the deadline.
  const exchange = createDnsExchange({ retransmitMs: config.retransmitMs ?? 1000, maxSends: Infinity });
  return async (opts) => {
    const server = parseIp(opts.server);
    if (server === undefined)
      throw new BeaconError("bad_request", `DNS server ${JSON.stringify(opts.server)} is not an IP address`);
    const name = tryNormalizeName(opts.name);
    if (name === undefined)
      throw new BeaconError("invalid_hostname", `${JSON.stringify(opts.name)} is not a domain name`);
    const q: ClientQuestion = { name, type: opts.type, qclass: opts.qclass ?? "IN" };
    const target: Target = {
      server: server.text,
      port: opts.port ?? 53,
      localAddress: opts.localAddress,
      signal: opts.signal,
    };
    const udp = await ask(exchange, target, q, "udp");
    if (udp !== "truncated") return udp;
    const tcp = await ask(exchange, target, q, "tcp");
    if (tcp === "truncated")
      throw new BeaconError("malformed_reply", `${label(target, q, "tcp")}: truncated reply`);
    return tcp;
  };
}

type Target = Pick<DnsExchangeRequest, "server" | "port" | "localAddress" | "signal">;

/** One question over one transport, with a fresh random ID. */
async function ask(
  exchange: DnsMessageExchange,
  t: Target,
  q: ClientQuestion,
  transport: "udp" | "tcp",
): Promise<DnsReply | "truncated"> {
  const id = randomInt(0, 0x10000);
  const where = label(t, q, transport);
  const bytes = await exchange({
    ...t,
    transport,
    message: encodeClientQuery(id, q),
    mismatch: (reply) => clientReplyMismatch(reply, id, q),
    label: where,
  });
  const r = decodeClientReply(bytes, id, q);
  if (r.kind === "reply") return { rcode: r.rcode, answers: r.answers };
  if (r.kind === "truncated") return "truncated";
  // "malformed" (the accept rule let it through for us to judge); a mismatch cannot pass that rule.
  throw new BeaconError("malformed_reply", `${where}: ${r.reason}`);
}

function label(t: Target, q: ClientQuestion, transport: "udp" | "tcp"): string {
  return `${q.name} ${q.qclass} ${q.type} @${t.server} (${transport})`;
}
