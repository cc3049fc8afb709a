// What an update asks for and what it produced. Outcomes are values, not exceptions: an update of
// several hosts returns one result per host, in request order.

import type { ErrorCode } from "./errors.js";
import type { RecordType, RRSet } from "./records.js";

/**
 * "admin": a change made in the admin console (its JSON API, signed in with a session). "pool": a
 * health-checked pool's chosen set, written by its publisher (services/health/). "aws-sample": the AWS
 * sample's protocol (services/sample-compat.ts), limited as dyndns2.
 */
export type UpdateProtocol = "dyndns2" | "api" | "rfc2136" | "cli" | "admin" | "pool" | "aws-sample" | "acme";

/** Who sent an update; recorded in history. */
export interface UpdateSource {
  readonly ip: string;
  readonly userAgent: string | undefined;
  readonly protocol: UpdateProtocol;
  /** Token id that authorised the change, if any. */
  readonly tokenId: string | undefined;
}

/** Desired record sets for one host. A type that is absent is left as it is; `null` deletes the set. */
export type DesiredSets = Partial<
  Record<RecordType, { readonly values: readonly string[]; readonly ttl?: number } | null>
>;

export type HostOutcome =
  | { readonly status: "good"; readonly fqdn: string; readonly sets: readonly RRSet[] }
  | { readonly status: "nochg"; readonly fqdn: string; readonly sets: readonly RRSet[] }
  | {
      readonly status: "failed";
      readonly fqdn: string;
      readonly code: ErrorCode;
      readonly message: string;
      /** rate_limited: when the host may be updated again. */
      readonly retryAfterSeconds?: number;
    };
