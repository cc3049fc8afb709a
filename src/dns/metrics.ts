// Counters of the DNS server, registered on a prom-client Registry the caller owns (never the global
// one). The transports call these on every message, so counting is a plain increment (see below).
// `noDnsMetrics` counts nothing (tests, or a server without /metrics).

import { Counter, type Registry } from "prom-client";
import type { Transport } from "./answer/types.js";
import { rcodeName } from "./wire/constants.js";

export type RrlAction = "dropped" | "slipped";
/**
 * Why the server closed a TCP connection; network_limit / global_limit: to make room for a new one
 * (transport/tcp-slots.ts).
 */
export type TcpClose = "idle" | "lifetime" | "bad_frame" | "network_limit" | "global_limit";
/** Why a message was dropped before the handler saw it. */
export type OversizeDrop = "too_big";

export interface DnsMetrics {
  /** A message was read from a client (before any limit). */
  received(transport: Transport): void;
  /** A reply was sent; `rcode` is the header's 4-bit code. */
  responded(transport: Transport, rcode: number): void;
  rrl(action: RrlAction): void;
  tcpClosed(reason: TcpClose): void;
  dropped(transport: Transport, reason: OversizeDrop): void;
}

export const noDnsMetrics: DnsMetrics = {
  received() {},
  responded() {},
  rrl() {},
  tcpClosed() {},
  dropped() {},
};

/**
 * Counts in plain numbers (the hot path pays one array increment, no label hashing) and hands them to
 * prom-client only when /metrics is scraped. `add` folds in counts read elsewhere (e.g. another process
 * answering on the same socket) — they are added to this server's own at every scrape.
 */
export interface CountingDnsMetrics extends DnsMetrics {
  /** Every non-zero count, keyed `<metric>|<label values joined by |>`. */
  counts(): ReadonlyMap<string, number>;
  /** Adds counts in the `counts()` shape (unknown keys and non-finite values are ignored). */
  add(counts: ReadonlyMap<string, number>): void;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

const FAMILIES = {
  received: {
    name: "beacon_dns_messages_received_total",
    help: "DNS messages read from clients",
    labelNames: ["transport"],
  },
  responses: {
    name: "beacon_dns_responses_total",
    help: "DNS responses sent, by header rcode",
    labelNames: ["transport", "rcode"],
  },
  rrl: {
    name: "beacon_dns_rrl_total",
    help: "UDP responses withheld by rate limiting (dropped or slipped as TC)",
    labelNames: ["action"],
  },
  closed: {
    name: "beacon_dns_tcp_closed_total",
    help: "DNS TCP connections closed by the server",
    labelNames: ["reason"],
  },
  dropped: {
    name: "beacon_dns_messages_dropped_total",
    help: "DNS messages dropped before handling",
    labelNames: ["transport", "reason"],
  },
} satisfies Record<string, Family>;

const TRANSPORTS: readonly Transport[] = ["udp", "tcp"];

export function createDnsMetrics(registry: Registry): CountingDnsMetrics {
  // Hot counters: index = transport * 16 + rcode (the header's 4 bits).
  const receivedBy = [0, 0];
  const responsesBy = new Array<number>(32).fill(0);
  // Rare events, and counts added from elsewhere.
  const other = new Map<string, number>();
  const bump = (key: string, by = 1): void => {
    other.set(key, (other.get(key) ?? 0) + by);
  };
  const t = (transport: Transport): number => (transport === "udp" ? 0 : 1);

  const counts = (): Map<string, number> => {
    const all = new Map(other);
    const add = (key: string, n: number): void => {
      if (n > 0) all.set(key, (all.get(key) ?? 0) + n);
    };
    TRANSPORTS.forEach((transport, i) => {
      add(`${FAMILIES.received.name}|${transport}`, receivedBy[i]!);
      for (let rcode = 0; rcode < 16; rcode++)
        add(`${FAMILIES.responses.name}|${transport}|${rcodeName(rcode)}`, responsesBy[i * 16 + rcode]!);
    });
    return all;
  };

  for (const family of Object.values(FAMILIES)) {
    new Counter({
      name: family.name,
      help: family.help,
      labelNames: family.labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, n] of counts()) {
          const [name, ...values] = key.split("|");
          if (name !== family.name || values.length !== family.labelNames.length) continue;
          this.inc(Object.fromEntries(family.labelNames.map((l, i) => [l, values[i]!])), n);
        }
      },
    });
  }

  return {
    received: (transport) => {
      receivedBy[t(transport)]!++;
    },
    responded: (transport, rcode) => {
      responsesBy[t(transport) * 16 + (rcode & 0x0f)]!++;
    },
    rrl: (action) => bump(`${FAMILIES.rrl.name}|${action}`),
    tcpClosed: (reason) => bump(`${FAMILIES.closed.name}|${reason}`),
    dropped: (transport, reason) => bump(`${FAMILIES.dropped.name}|${transport}|${reason}`),
    counts,
    add(more) {
      for (const [key, n] of more) if (Number.isFinite(n) && n > 0 && key.length < 200) bump(key, n);
    },
  };
}
