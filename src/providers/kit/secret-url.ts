// Vendors whose protocol carries the secret in the query string (Namecheap Dynamic DNS, DuckDNS):
// the URL is never put into a message we build, and text that might echo it — the vendor's reply,
// or an HTTP client's error — has the secret cut out before it reaches an error, a log or the CLI.
// withoutSecret also serves vendors that carry the secret in a body a reply might echo (Porkbun). A
// provider built through the registry is redacted once more at its boundary, with every one of its
// secrets (redacting.ts).

import type { HttpReply } from "../../net/http.js";
import { sendVendor } from "./http.js";
import { createRedactor } from "./redactor.js";
import type { CallContext, ProviderDeps } from "../types.js";

/** `text` without any form of `secret` (redactor.ts). */
export function withoutSecret(text: string, secret: string): string {
  return createRedactor([secret]).text(text);
}

/** GET `url` (which holds `secret`); a rejection never quotes the secret (redactor.ts). */
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
    throw createRedactor([secret]).error(e);
  }
}
