// Counters of the DNS server, registered on a prom-client Registry the caller owns (never the global
// one). The transports call these on every message, so label children are bound once and cached.
// `noDnsMetrics` counts nothing (tests, or a server without /metrics).

import { Counter, type Registry } from "prom-client";
import type { Transport } from "./types.js";

export type RrlAction = "dropped" | "slipped";
/** Why a TCP connection was refused on arrival or closed by the server. */
export type TcpRefusal = "global_limit" | "per_client_limit";
export type TcpClose = "idle" | "lifetime" | "bad_frame";
/** Why a message was dropped before the handler saw it. */
export type OversizeDrop = "too_big";

export interface DnsMetrics {
  /** A message was read from a client (before any limit). */
  received(transport: Transport): void;
  /** A reply was sent; `rcode` is the header's 4-bit code. */
  responded(transport: Transport, rcode: number): void;
  rrl(action: RrlAction): void;
  tcpRefused(reason: TcpRefusal): void;
  tcpClosed(reason: TcpClose): void;
  dropped(transport: Transport, reason: OversizeDrop): void;
}

export const noDnsMetrics: DnsMetrics = {
  received() {},
  responded() {},
  rrl() {},
  tcpRefused() {},
  tcpClosed() {},
  dropped() {},
};

const RCODE_NAMES = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
];

type Bound = (...values: string[]) => Counter.Internal;

export function createDnsMetrics(registry: Registry): DnsMetrics {
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const received = counter("beacon_dns_messages_received_total", "DNS messages read from clients", [
    "transport",
  ]);
  const responses = counter("beacon_dns_responses_total", "DNS responses sent, by header rcode", [
    "transport",
    "rcode",
  ]);
  const rrl = counter(
    "beacon_dns_rrl_total",
    "UDP responses withheld by rate limiting (dropped or slipped as TC)",
    ["action"],
  );
  const refused = counter("beacon_dns_tcp_refused_total", "DNS TCP connections refused on arrival", [
    "reason",
  ]);
  const closed = counter("beacon_dns_tcp_closed_total", "DNS TCP connections closed by the server", [
    "reason",
  ]);
  const dropped = counter("beacon_dns_messages_dropped_total", "DNS messages dropped before handling", [
    "transport",
    "reason",
  ]);

  /** The counter's child for these label values, bound once. */
  const bound = (c: Counter) => {
    const children = new Map<string, Counter.Internal>();
    return (...values: string[]): Counter.Internal => {
      const key = values.length === 1 ? values[0]! : values.join("|");
      let found = children.get(key);
      if (found === undefined) {
        found = c.labels(...values);
        children.set(key, found);
      }
      return found;
    };
  };
  const [receivedBy, responsesBy, rrlBy, refusedBy, closedBy, droppedBy] = [
    received,
    responses,
    rrl,
    refused,
    closed,
    dropped,
  ].map(bound) as [Bound, Bound, Bound, Bound, Bound, Bound];
  return {
    received: (transport) => receivedBy(transport).inc(),
    responded: (transport, rcode) => responsesBy(transport, RCODE_NAMES[rcode] ?? String(rcode)).inc(),
    rrl: (action) => rrlBy(action).inc(),
    tcpRefused: (reason) => refusedBy(reason).inc(),
    tcpClosed: (reason) => closedBy(reason).inc(),
    dropped: (transport, reason) => droppedBy(transport, reason).inc(),
  };
}
