// Vendors whose protocol carries the secret in the query string (Namecheap Dynamic DNS, DuckDNS):
// the URL is never put into a message we build, and text that might echo it — the vendor's reply,
// or an HTTP client's error — has the secret cut out before it reaches an error, a log or the CLI.
// withoutSecret also serves vendors that carry the secret in a body a reply might echo (Porkbun).

import { BeaconError, isBeaconError } from "../core/errors.js";
import type { HttpReply } from "../net/http.js";
import { sendVendor } from "./http.js";
import type { CallContext, ProviderDeps } from "./types.js";

const HIDDEN = "[secret]";

/** `text` without any occurrence of `secret`, raw or URL-encoded. */
export function withoutSecret(text: string, secret: string): string {
  if (secret === "") return text;
  let out = text;
  for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(HIDDEN);
  return out;
}

/** GET `url` (which holds `secret`); a rejection never quotes the secret (its cause is dropped). */
export async function getWithSecretInUrl(
  deps: ProviderDeps,
  vendor: string,
  url: string,
  secret: string,
  ctx: CallContext,
): Promise<HttpReply> {
  try {
    return await sendVendor(deps, vendor, { method: "GET", url }, ctx);
  } catch (e) {
    if (!isBeaconError(e)) throw e;
    const message = withoutSecret(e.message, secret);
    if (message === e.message && !causeMentions(e.cause, secret)) throw e;
    throw new BeaconError(e.code, message, e.details === undefined ? {} : { details: { ...e.details } });
  }
}

function causeMentions(cause: unknown, secret: string): boolean {
  if (!(cause instanceof Error)) return false;
  const text = `${cause.message} ${cause.stack ?? ""}`;
  return withoutSecret(text, secret) !== text;
}
