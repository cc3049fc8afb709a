// Turns the `dns.limits` settings into the DNS server's limit options: one response-rate limiter per
// process (shared by every listener, so a client cannot multiply its budget by address), on the
// system clock, the client networks TCP connections are counted by, the TCP connections reserved for
// `dns.transfer.allow` peers, and the counters on the server's metrics registry.

import type { DnsLimits } from "../config/server-config.js";
import type { Clock } from "../core/clock.js";
import { inCidr, normalizeSocketAddress } from "../core/ip.js";
import { createNetworkOf } from "../dns/client-network.js";
import type { DnsMetrics } from "../dns/metrics.js";
import { createRrl } from "../dns/rrl.js";
import type { DnsServerOptions } from "../dns/server.js";

export type DnsLimitOptions = Pick<
  DnsServerOptions,
  | "maxTcpConnectionsPerClient"
  | "tcpNetworkOf"
  | "reservedTcpConnections"
  | "tcpPrivileged"
  | "tcpLifetimeMs"
  | "maxTcpQueuedReplies"
  | "maxMessageBytes"
  | "rrl"
  | "metrics"
>;

/** `transferAllow`: the canonical CIDRs of `dns.transfer.allow` (none in UDP-only workers). */
export function dnsLimitOptions(
  limits: DnsLimits,
  clock: Clock,
  metrics: DnsMetrics,
  transferAllow: readonly string[] = [],
): DnsLimitOptions {
  return {
    maxTcpConnectionsPerClient: limits.maxTcpConnectionsPerClient,
    tcpNetworkOf: createNetworkOf({
      ipv4PrefixLength: limits.tcpIpv4PrefixLength,
      ipv6PrefixLength: limits.tcpIpv6PrefixLength,
    }),
    reservedTcpConnections: limits.tcpTransferConnections,
    tcpPrivileged: (address) => {
      const ip = normalizeSocketAddress(address);
      return ip !== undefined && transferAllow.some((c) => inCidr(ip, c));
    },
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
