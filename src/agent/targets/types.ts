// The target port: where the agent publishes a record. Beacon's JSON API and any dyndns2 service are
// targets here, and so is every provider (provider.ts wraps one), so the loop never names a vendor.
//
// Contract:
// - publish() never throws: every outcome is a PublishResult.
// - `fatal` means: do not try this record again until the configuration changes (bad credentials,
//   unknown host, blocked agent). `backoff` means: the service asked us to wait (dyndns2 911/dnserr:
//   at least 30 minutes). `retry` means: a transient failure (network, 5xx) — the loop retries with
//   exponential backoff and a cap.
// - heartbeat() (optional; Beacon servers only) never throws either: `ok` with the pools that follow
//   the host, or one of the same failures (`fatal` here means "refused": the caller keeps trying on
//   its own schedule, since an admin may fix the token or create the pool).

import type { z } from "zod";
import type { Clock } from "../../core/clock.js";
import type { RecordType } from "../../core/records.js";
import type { DnsExchange, DnsQuery } from "../../dns/client/ports.js";
import type { HttpRequest } from "../../net/http.js";

export interface PublishRequest {
  readonly fqdn: string;
  readonly type: Extract<RecordType, "A" | "AAAA">;
  /** Canonical addresses (one per line of a multi-WAN pool, usually one). */
  readonly values: readonly string[];
  readonly ttl: number | undefined;
  /** Multi-WAN: send the update through this local address (some services take the address from the connection). */
  readonly localAddress: string | undefined;
  readonly signal: AbortSignal;
}

export type PublishResult =
  | { readonly status: "updated"; readonly detail: string }
  | { readonly status: "noop"; readonly detail: string }
  | { readonly status: "fatal"; readonly code: string; readonly detail: string }
  | {
      readonly status: "backoff";
      readonly code: string;
      readonly detail: string;
      readonly retryAfterMs: number;
    }
  | { readonly status: "retry"; readonly code: string; readonly detail: string };

/** The failures publish() and heartbeat() share. */
export type TargetFailure = Exclude<PublishResult, { readonly status: "updated" | "noop" }>;

export interface HeartbeatRequest {
  readonly fqdn: string;
  /** Send it through this local address: the line the record is bound to. */
  readonly localAddress: string | undefined;
  readonly signal: AbortSignal;
}

export type HeartbeatResult =
  { readonly status: "ok"; readonly pools: readonly string[]; readonly detail: string } | TargetFailure;

export interface Target {
  readonly id: string;
  publish(req: PublishRequest): Promise<PublishResult>;
  /**
   * Optional drift check: the values the service holds now for `fqdn`/`type`, canonical and sorted;
   * `[]` when it holds none. Never throws: `undefined` when they could not be read.
   */
  current?(
    fqdn: string,
    type: PublishRequest["type"],
    signal: AbortSignal,
  ): Promise<readonly string[] | undefined>;
  /** Optional: tells the service the record's host (its line) is alive. */
  heartbeat?(req: HeartbeatRequest): Promise<HeartbeatResult>;
}

export interface TargetDeps {
  readonly httpRequest: HttpRequest;
  readonly dnsQuery: DnsQuery;
  readonly clock: Clock;
  /** Sent as User-Agent by HTTP targets, e.g. "Beacon-Agent/0.1.0 (+https://github.com/beacon-ddns)". */
  readonly userAgent: string;
  /** For provider targets (provider.ts) that speak DNS (RFC 2136); src/cli wires the real one. */
  readonly dnsExchange?: DnsExchange | undefined;
  /** For provider targets that sign requests (nonces); src/cli wires node:crypto. */
  readonly randomBytes?: ((n: number) => Uint8Array) | undefined;
}

/** A target type: settings schema (secrets already resolved from *_file by config) and a factory. */
export interface TargetDefinition<S = unknown> {
  readonly type: string;
  readonly description: string;
  readonly settings: z.ZodType<S>;
  create(id: string, settings: S, deps: TargetDeps): Target;
}
