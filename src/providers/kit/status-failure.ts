// The failure of a vendor whose error replies are one JSON object with a message and maybe a code of
// its own (DigitalOcean {id, message}, Gandi {code, message, cause}): the vendor's words as the cause,
// the catalogue code from the provider's reading (or the HTTP status), Retry-After for rate limits.
// A body that is not JSON still reads by its status when the status says enough (429, 5xx: a proxy's
// HTML page); otherwise it is malformed_reply.

import type { BeaconError } from "../../core/errors.js";
import type { HttpReply } from "../../net/http.js";
import { codeForStatus, VendorError, vendorFailure, type ProviderErrorCode } from "../errors.js";
import { retryAfterOf } from "./http.js";

export interface VendorWords {
  readonly message: string;
  readonly vendorCode?: string | undefined;
}

export function statusFailure(
  vendor: string,
  reply: HttpReply,
  now: number,
  words: VendorWords | undefined,
  opts: { code?: ProviderErrorCode | undefined; retryAfterMs?: number | undefined } = {},
): BeaconError {
  const retryAfterMs = opts.retryAfterMs ?? retryAfterOf(reply, now);
  if (words === undefined) {
    const byStatus = reply.status === 429 || reply.status >= 500;
    const cause = new VendorError(vendor, `unexpected reply: ${reply.body.slice(0, 80)}`, {
      status: reply.status,
    });
    return vendorFailure(byStatus ? codeForStatus(reply.status) : "malformed_reply", cause, { retryAfterMs });
  }
  const cause = new VendorError(vendor, words.message, {
    status: reply.status,
    ...(words.vendorCode === undefined ? {} : { vendorCode: words.vendorCode }),
  });
  return vendorFailure(opts.code ?? codeForStatus(reply.status), cause, { retryAfterMs });
}
