// The provider port: one adapter per DNS service Beacon can publish to. The agent wraps a provider as
// a target (agent/targets/provider.ts); the server's mirror worker delivers outbox entries through
// one. Neither ever names a vendor: a new provider is one file plus one line in registry.ts.
//
// Contract (checked for every provider by testing/contract.ts):
// - Names are canonical (core/names.ts: lowercase, no trailing dot); values are canonical and sorted
//   (core/records.ts canonicalValues). A provider converts to and from the vendor's forms itself.
// - get() returns the set the vendor holds now, or undefined when it holds none.
// - upsert() makes the vendor's set exactly `values`. It resolves "unchanged" when the vendor already
//   held exactly that (no write was sent), "changed" after the vendor acknowledged the write. A TTL of
//   undefined keeps the TTL the vendor holds (its default for a new set). Vendor settings Beacon does
//   not manage (Cloudflare's proxied flag and comment, Route 53 routing, …) are kept.
// - delete() removes the set: "changed", or "unchanged" when there was none.
// - Every failure rejects with a BeaconError: provider_auth, provider_permission,
//   provider_rate_limited (details.retryAfterMs when the vendor said), provider_zone_not_found,
//   provider_conflict, provider_unavailable, provider_rejected, provider_unsupported (a type or
//   operation the provider cannot do), network_error, aborted (the signal fired), malformed_reply.
//   The vendor's own reply is kept as the `cause` (a VendorError, see errors.ts).
// - Honours the signal: nothing is sent once it has fired.
// - Write-only protocols (dyndns2, DuckDNS, HTTP callbacks) say so in `capabilities`: get() rejects
//   with provider_unsupported, and upsert() is "changed" unless the vendor's reply says "no change".

import type { z } from "zod";
import type { DnsExchange } from "../dns/client/ports.js";
import type { Clock } from "../core/clock.js";
import type { HttpRequest } from "../net/http.js";

export type ProviderRecordType = "A" | "AAAA" | "TXT";

export interface ProviderRRSet {
  readonly type: ProviderRecordType;
  readonly ttl: number;
  /** Canonical, sorted, at least one. */
  readonly values: readonly string[];
}

export interface WriteRequest {
  readonly fqdn: string;
  readonly type: ProviderRecordType;
  /** Canonical, sorted, at least one. */
  readonly values: readonly string[];
  /** undefined: keep the vendor's TTL (or its default for a new set). */
  readonly ttl: number | undefined;
}

export type WriteOutcome = "changed" | "unchanged";

export interface CallContext {
  readonly signal: AbortSignal;
  /** Multi-WAN: send requests from this local address. */
  readonly localAddress?: string | undefined;
}

export interface ProviderCapabilities {
  readonly types: readonly ProviderRecordType[];
  /** get() works. False for write-only protocols. */
  readonly read: boolean;
  readonly delete: boolean;
  /** A set may hold several values. */
  readonly multiValue: boolean;
  /** The TTL of a write is honoured (at or above `minTtl`). */
  readonly ttl: boolean;
  /** The vendor's lowest TTL: a write asking for less is raised to it (or refused, per vendor). Default 1. */
  readonly minTtl?: number;
}

export interface Provider {
  /** The configured id (agent target id or mirror id), for messages. */
  readonly id: string;
  readonly type: string;
  readonly capabilities: ProviderCapabilities;
  get(fqdn: string, type: ProviderRecordType, ctx: CallContext): Promise<ProviderRRSet | undefined>;
  upsert(req: WriteRequest, ctx: CallContext): Promise<WriteOutcome>;
  delete(fqdn: string, type: ProviderRecordType, ctx: CallContext): Promise<WriteOutcome>;
}

export interface ProviderDeps {
  readonly httpRequest: HttpRequest;
  readonly dnsExchange: DnsExchange;
  readonly clock: Clock;
  /** Sent as User-Agent by HTTP providers. */
  readonly userAgent: string;
  /** Random bytes (nonces, request ids); injected so signing tests are reproducible. */
  readonly randomBytes: (n: number) => Uint8Array;
}

/** A provider type: settings schema (secrets already resolved from `X_file`) and a factory. */
export interface ProviderDefinition<S = unknown> {
  readonly type: string;
  /** One line for `beacon providers` and the docs index. */
  readonly description: string;
  readonly settings: z.ZodType<S>;
  create(id: string, settings: S, deps: ProviderDeps): Provider;
}
