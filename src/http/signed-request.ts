// The HTTP side of signed update requests (services/request-signatures.ts,
// docs/protocols/signed-requests.md): the message as the client signed it, and the token it names.
//
// @target-uri is the URI the client addressed: the scheme and authority are the request's own, or,
// when the socket peer is a trusted proxy, those of X-Forwarded-Proto and X-Forwarded-Host (the same
// rule as the console's client configurations, routes/admin/origin.ts); path and query are the
// request's, as WHATWG URL serializes them. http.public_url is not used: it is where clients are
// told to go, not what this client addressed.
//
// Contract: signedToken resolves undefined when the request carries no signature headers (or the app
// has no verifier); otherwise the token, or it rejects as RequestSignatures.verify does. The body is
// read from a clone, so the route can still read it (or taken as the route read it through
// requestBodyBytes: dyndns2's form); more than `maxBodyBytes` is parameter_too_large.

import type { Context } from "hono";

import type { TokenRecord } from "../store/types.js";
import { MAX_JSON_BODY, requestBodyBytes } from "./body.js";
import { parseTrustedProxies } from "./client-ip.js";
import type { AppDeps, AppEnv } from "./deps.js";
import { requestOrigin } from "./routes/admin/origin.js";

export async function signedToken(
  c: Context<AppEnv>,
  deps: Pick<AppDeps, "signatures" | "clientAddress" | "trustedProxies" | "maxBodyBytes">,
): Promise<TokenRecord | undefined> {
  const header = (name: string) => c.req.header(name);
  if (deps.signatures === undefined || !deps.signatures.isSigned(header)) return undefined;
  const own = new URL(c.req.url);
  const trusted = parseTrustedProxies(deps.trustedProxies);
  const origin = requestOrigin(c, { publicUrl: undefined, clientAddress: deps.clientAddress }, trusted);
  const body =
    c.req.method === "GET" || c.req.method === "HEAD"
      ? new Uint8Array()
      : await requestBodyBytes(c.req.raw, deps.maxBodyBytes ?? MAX_JSON_BODY, true);
  const token = await deps.signatures.verify(
    { method: c.req.method, targetUri: `${origin}${own.pathname}${own.search}`, header, body },
    c.get("clientIp"),
  );
  c.set("token", token);
  return token;
}
