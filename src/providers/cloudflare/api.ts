// One call to Cloudflare's API v4 and the reading of its envelope
// {success, errors:[{code, message, error_chain?}], messages, result, result_info}. Failures map onto
// the catalogue from Cloudflare's error codes first, then the HTTP status:
//   6003 with 6102/6103/6111 in its chain, 9106, 9109, 1000, 10000, 401 → provider_auth
//     (10000 "Authentication error" is also what a valid token without DNS:Edit on the zone gets,
//     so the message says to check both the token and its permissions)
//   other 403 → provider_permission · 7000/7003 (no such zone id) → provider_zone_not_found
//   81044, 81053–81058 (a record vanished, conflicts or already exists: another writer) → provider_conflict
//   971 or 429 → provider_rate_limited (Retry-After) · 5xx → provider_unavailable · else provider_rejected.

import { retryAfterOf, sendVendor, tryJson } from "../kit/http.js";
import { z } from "zod";
import type { BeaconError } from "../../core/errors.js";
import { codeForStatus, VendorError, vendorFailure, type ProviderErrorCode } from "../errors.js";
import type { HttpReply } from "../../net/http.js";
import type { CallContext, ProviderDeps } from "../types.js";

export const CLOUDFLARE = "Cloudflare";

export interface CloudflareCall {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Below the endpoint, e.g. /zones/{id}/dns_records */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface CloudflareResult {
  readonly result: unknown;
  /** result_info.total_pages of a list. */
  readonly totalPages: number | undefined;
}

export type CloudflareApi = (call: CloudflareCall, ctx: CallContext) => Promise<CloudflareResult>;

const CfMessage = z.object({ code: z.number(), message: z.string() });
const Envelope = z.object({
  success: z.boolean(),
  errors: z.array(CfMessage.extend({ error_chain: z.array(CfMessage).optional() })).default([]),
  result: z.unknown(),
  result_info: z.object({ total_pages: z.number().int().optional() }).optional(),
});

const AUTH_CODES = new Set([1000, 6102, 6103, 6111, 9106, 9109, 10000]);
const ZONE_CODES = new Set([7000, 7003]);
/** 81044: the record is gone (another writer deleted it); 81053–81058: one conflicts or already exists. */
const CONFLICT_CODES = new Set([81044, 81053, 81054, 81055, 81056, 81057, 81058]);

export function cloudflareCall(deps: ProviderDeps, endpoint: string, token: string): CloudflareApi {
  const base = endpoint.replace(/\/+$/, "");
  return async (call, ctx) => {
    const query = call.query === undefined ? "" : `?${new URLSearchParams(call.query).toString()}`;
    const reply = await sendVendor(
      deps,
      CLOUDFLARE,
      {
        method: call.method,
        url: `${base}${call.path}${query}`,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(call.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      },
      ctx,
    );
    const envelope = Envelope.safeParse(tryJson(reply.body));
    if (reply.status >= 200 && reply.status < 300 && envelope.success && envelope.data.success) {
      return { result: envelope.data.result, totalPages: envelope.data.result_info?.total_pages };
    }
    throw cloudflareFailure(reply, envelope.success ? envelope.data : undefined, deps.clock());
  };
}

function cloudflareFailure(
  reply: HttpReply,
  envelope: z.infer<typeof Envelope> | undefined,
  now: number,
): BeaconError {
  const retryAfterMs = retryAfterOf(reply, now);
  const errors = envelope?.errors ?? [];
  if (errors.length === 0) {
    // Not Cloudflare's envelope: an edge error page (5xx, 429) reads by its status; anything else is garbage.
    const snippet = reply.body.slice(0, 80);
    const code =
      reply.status === 429 || reply.status >= 500 ? codeForStatus(reply.status) : "malformed_reply";
    const message = envelope === undefined ? `unexpected reply: ${snippet}` : "request failed without errors";
    return vendorFailure(code, new VendorError(CLOUDFLARE, message, { status: reply.status }), {
      retryAfterMs,
    });
  }
  const codes = errors.flatMap((e) => [e.code, ...(e.error_chain ?? []).map((c) => c.code)]);
  const first = errors[0]?.code;
  const message = errors
    .map((e) => [e.message, ...(e.error_chain ?? []).map((c) => c.message)].join(": "))
    .join("; ");
  const code = codeFor(reply.status, codes);
  const hint = codes.includes(10000)
    ? " (check the token, and that it has Zone → DNS → Edit on this zone)"
    : "";
  const cause = new VendorError(CLOUDFLARE, `${message}${hint}`, {
    status: reply.status,
    ...(first === undefined ? {} : { vendorCode: String(first) }),
  });
  return vendorFailure(code, cause, { retryAfterMs });
}

function codeFor(status: number, codes: readonly number[]): ProviderErrorCode {
  if (status === 429 || codes.includes(971)) return "provider_rate_limited";
  if (status >= 500) return "provider_unavailable";
  if (status === 401 || codes.some((c) => AUTH_CODES.has(c))) return "provider_auth";
  if (status === 403) return "provider_permission";
  if (codes.some((c) => ZONE_CODES.has(c))) return "provider_zone_not_found";
  if (codes.some((c) => CONFLICT_CODES.has(c))) return "provider_conflict";

  if (status === 404) return "provider_rejected";
  return codeForStatus(status);
}

/** A reply that parsed but does not have the shape Cloudflare documents. */
export function cloudflareShapeError(what: string): BeaconError {
  return vendorFailure("malformed_reply", new VendorError(CLOUDFLARE, `unexpected ${what} in the reply`));
}
