// How vendor failures become catalogue errors. Every provider reports through these, so "the vendor
// said 401" reads the same for Cloudflare and for Route 53, and the vendor's own words are kept as
// the cause (never a credential: bodies are cut short and callers never pass request headers).

import { BeaconError, type ErrorCode } from "../core/errors.js";

/** The vendor's side of a failure: HTTP status (or DNS rcode name), its error code and message. */
export class VendorError extends Error {
  readonly vendor: string;
  readonly status: number | string | undefined;
  readonly vendorCode: string | undefined;

  constructor(vendor: string, message: string, opts: { status?: number | string; vendorCode?: string } = {}) {
    super(clip(message));
    this.name = "VendorError";
    this.vendor = vendor;
    this.status = opts.status;
    this.vendorCode = opts.vendorCode;
  }
}

export type ProviderErrorCode = Extract<
  ErrorCode,
  | "provider_auth"
  | "provider_permission"
  | "provider_rate_limited"
  | "provider_zone_not_found"
  | "provider_conflict"
  | "provider_unavailable"
  | "provider_rejected"
  | "provider_unsupported"
  | "malformed_reply"
>;

/**
 * A catalogue error for a vendor failure. The message names the provider and quotes the vendor;
 * `retryAfterMs` (rate limits) goes into details for the caller's backoff.
 */
export function vendorFailure(
  code: ProviderErrorCode,
  cause: VendorError,
  opts: { retryAfterMs?: number | undefined } = {},
): BeaconError {
  const vendorPart = cause.vendorCode === undefined ? "" : ` (${cause.vendorCode})`;
  const statusPart = cause.status === undefined ? "" : `${cause.status} `;
  return new BeaconError(code, `${cause.vendor}: ${statusPart}${cause.message}${vendorPart}`, {
    cause,
    details: {
      provider: cause.vendor,
      ...(cause.vendorCode === undefined ? {} : { vendorCode: cause.vendorCode }),
      ...(opts.retryAfterMs === undefined ? {} : { retryAfterMs: opts.retryAfterMs }),
    },
  });
}

/**
 * A vendor's error codes onto the catalogue, read safely: the code comes from the vendor's reply, and
 * one such as "constructor" or "__proto__" must find nothing rather than an Object.prototype member.
 */
export function vendorCodes(
  table: Readonly<Record<string, ProviderErrorCode>>,
): (code: string | undefined) => ProviderErrorCode | undefined {
  return (code) => (code !== undefined && Object.hasOwn(table, code) ? table[code] : undefined);
}

/** The usual reading of an HTTP error status; vendors refine it from their error codes first. */
export function codeForStatus(status: number): ProviderErrorCode {
  if (status === 401) return "provider_auth";
  if (status === 403) return "provider_permission";
  if (status === 404) return "provider_zone_not_found";
  if (status === 409) return "provider_conflict";
  if (status === 429) return "provider_rate_limited";
  if (status >= 500) return "provider_unavailable";
  return "provider_rejected";
}

/** Codes worth retrying later without a configuration change. */
export function isTransient(code: string): boolean {
  return (
    code === "provider_rate_limited" ||
    code === "provider_unavailable" ||
    code === "network_error" ||
    code === "aborted" ||
    code === "malformed_reply" ||
    code === "internal"
  );
}

/** Printable, bounded: vendor text goes into logs and the CLI. */
export function clip(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
