// Which transport a request came over, and what follows from it once Beacon serves HTTPS itself.
// - Secure: the connection is TLS (the listener says so: `overTls`, never the URL, whose scheme a client
//   can choose with an absolute-form request target), or the socket peer is a trusted proxy that sent
//   `X-Forwarded-Proto: https` (anyone else's header is ignored). Set as the `secure` variable.
// - Plain HTTP with `plain: "updates"` serves the routes routers and ACME need (PLAIN_PATHS); everything
//   else (the console, the JSON API, /metrics) answers GET/HEAD with a 308 to the HTTPS origin and any
//   other method with 403 `https_required`, before a route sees the request: no password form is
//   served and no bearer token is taken over plain HTTP. An allow list, so a new route is HTTPS-only.
// - HSTS is set by securityHeaders from `secure` (http.tls.hsts), never on a plain reply (RFC 6797 §7.2).

import type { Context, MiddlewareHandler } from "hono";
import { BeaconError } from "../../core/errors.js";
import { inCidr, normalizeSocketAddress } from "../../core/ip.js";
import type { AppDeps, AppEnv } from "../deps.js";
import { problemResponse } from "../problem.js";

/** Beacon's own HTTPS (http.tls.*, http.plain); see AppDeps.https. */
export interface HttpsPolicy {
  /** `updates`: plain HTTP serves PLAIN_PATHS only. `all`: everything (also when there is no HTTPS). */
  readonly plain: "all" | "updates";
  /** Strict-Transport-Security on secure replies. */
  readonly hsts: boolean;
  /** The HTTPS listener's port (443 is left out of URLs); undefined until one listens. */
  readonly port: () => number | undefined;
  /** `http.public_url`: the redirect target when it is an https URL. */
  readonly publicUrl: string | undefined;
}

export const HSTS = "max-age=31536000";

/** Served over plain HTTP too: dyndns2 (routers often speak nothing else), /ip, /healthz, ACME HTTP-01. */
const PLAIN_PATHS: ReadonlySet<string> = new Set([
  "/nic/update",
  "/v3/update",
  "/nic/heartbeat",
  "/ip",
  "/healthz",
]);
const ACME_CHALLENGE = "/.well-known/acme-challenge/";

export function servedOverPlain(path: string): boolean {
  return PLAIN_PATHS.has(path) || path.startsWith(ACME_CHALLENGE);
}

/** Where a plain request for `url` goes over HTTPS; undefined when no HTTPS origin is known. */
export function httpsTarget(url: URL, policy: Pick<HttpsPolicy, "port" | "publicUrl">): string | undefined {
  const rest = `${url.pathname}${url.search}`;
  if (policy.publicUrl?.startsWith("https://") === true) return `${policy.publicUrl}${rest}`;
  const port = policy.port();
  if (port === undefined) return undefined;
  return `https://${url.hostname}${port === 443 ? "" : `:${port}`}${rest}`;
}

/** `trusted`: canonical CIDRs (parseTrustedProxies). */
export function transport(
  deps: Pick<AppDeps, "clientAddress" | "overTls" | "https" | "log">,
  trusted: readonly string[],
): MiddlewareHandler<AppEnv> {
  const policy = deps.https;
  return async (c, next) => {
    const secure = isSecure(c, deps, trusted);
    c.set("secure", secure);
    if (secure || policy?.plain !== "updates" || servedOverPlain(c.req.path)) return next();
    const target = httpsTarget(new URL(c.req.url), policy);
    if ((c.req.method === "GET" || c.req.method === "HEAD") && target !== undefined)
      return c.redirect(target, 308);
    const where = target === undefined ? "" : `: ${target}`;
    return problemResponse(
      c,
      new BeaconError("https_required", `${c.req.method} ${c.req.path} is served over HTTPS only${where}`),
      deps.log,
    );
  };
}

function isSecure(
  c: Context,
  deps: Pick<AppDeps, "clientAddress" | "overTls">,
  trusted: readonly string[],
): boolean {
  if (deps.overTls?.(c) === true) return true;
  const proto = c.req.header("x-forwarded-proto");
  if (proto?.trim().toLowerCase() !== "https") return false;
  const peer = normalizeSocketAddress(deps.clientAddress(c));
  return peer !== undefined && trusted.some((cidr) => inCidr(peer, cidr));
}
