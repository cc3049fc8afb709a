// Turns the `dns.limits` settings into the DNS server's limit options: one response-rate limiter per
// process (shared by every listener, so a client cannot multiply its budget by address), on the
// system clock, and the counters on the server's metrics registry.

import type { DnsLimits } from "../config/server-config.js";
import type { Clock } from "../core/clock.js";
import type { DnsMetrics } from "../dns/metrics.js";
import { createRrl } from "../dns/rrl.js";
import type { DnsServerOptions } from "../dns/server.js";

export type DnsLimitOptions = Pick<
  DnsServerOptions,
  | "maxTcpConnectionsPerClient"
  | "tcpLifetimeMs"
  | "maxTcpQueuedReplies"
  | "maxMessageBytes"
  | "rrl"
  | "metrics"
>;

export function dnsLimitOptions(limits: DnsLimits, clock: Clock, metrics: DnsMetrics): DnsLimitOptions {
  return {
    maxTcpConnectionsPerClient: limits.maxTcpConnectionsPerClient,
    tcpLifetimeMs: limits.tcpLifetimeMs,
    maxTcpQueuedReplies: limits.maxTcpQueuedReplies,
    maxMessageBytes: limits.maxMessageBytes,
    rrl: createRrl({
      responsesPerSecond: limits.rrlResponsesPerSecond,
      windowSeconds: limits.rrlWindowSeconds,
      slip: limits.rrlSlip,
      ipv4PrefixLength: limits.rrlIpv4PrefixLength,
      ipv6PrefixLength: limits.rrlIpv6PrefixLength,
      tableSize: limits.rrlTableSize,
      exempt: limits.rrlExempt,
      now: clock,
    }),
    metrics,
  };
}
