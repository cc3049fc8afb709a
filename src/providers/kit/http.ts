// One HTTP exchange with a vendor API, with the failures every HTTP provider shares mapped once:
// the signal fired → aborted; the connection failed → network_error; an oversized or non-JSON reply
// → malformed_reply. Status codes are the provider's to read (vendors put meaning in their bodies).

import type { z } from "zod";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import type { HttpReply, HttpRequestOptions } from "../../net/http.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import { VendorError, vendorFailure } from "../errors.js";
import type { CallContext, ProviderDeps } from "../types.js";

export interface VendorRequest {
  readonly method: NonNullable<HttpRequestOptions["method"]>;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Vendor replies we read are small; a record list of a big zone still fits. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/** Sends `req` with our User-Agent; resolves with any HTTP status, rejects with a catalogue error. */
export async function sendVendor(
  deps: ProviderDeps,
  vendor: string,
  req: VendorRequest,
  ctx: CallContext,
): Promise<HttpReply> {
  if (ctx.signal.aborted) throw new BeaconError("aborted", `${vendor}: aborted before sending`);
  try {
    return await deps.httpRequest(req.url, {
      method: req.method,
      headers: { "user-agent": deps.userAgent, ...req.headers },
      ...(req.body === undefined ? {} : { body: req.body }),
      ...(ctx.localAddress === undefined ? {} : { localAddress: ctx.localAddress }),
      signal: ctx.signal,
      maxBytes: MAX_REPLY_BYTES,
    });
  } catch (e) {
    if (ctx.signal.aborted)
      throw new BeaconError("aborted", `${vendor}: aborted before a reply`, { cause: e });
    if (isBeaconError(e) && e.code === "parameter_too_large")
      throw vendorFailure("malformed_reply", new VendorError(vendor, e.message));
    const message = e instanceof Error ? e.message : String(e);
    throw new BeaconError("network_error", `${vendor}: ${message}`, { cause: e });
  }
}

/** The JSON body of a reply, or malformed_reply naming the vendor and status. */
export function jsonBody(reply: HttpReply, vendor: string): unknown {
  try {
    return JSON.parse(reply.body) as unknown;
  } catch {
    throw vendorFailure(
      "malformed_reply",
      new VendorError(vendor, `reply is not JSON: ${reply.body.slice(0, 80)}`, { status: reply.status }),
    );
  }
}

/** The parsed JSON of a body, or undefined when it is not JSON. */
export function tryJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A body read by `schema` when it is JSON of that shape, else undefined: for error replies, which
 * vendors send as JSON, plain text or nothing, and whose text then stands as it is.
 */
export function tryJsonBody<T>(body: string, schema: z.ZodType<T>): T | undefined {
  const parsed = schema.safeParse(tryJson(body));
  return parsed.success ? parsed.data : undefined;
}

/** Retry-After of a reply in ms, when the vendor sent one we can read. */
export function retryAfterOf(reply: HttpReply, now: number): number | undefined {
  return parseRetryAfter(reply.headers["retry-after"], now);
}
