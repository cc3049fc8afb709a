// The base URL written into client configurations: `http.public_url` when configured; else the
// request's own origin, where X-Forwarded-Proto and X-Forwarded-Host count only when the socket peer
// is a trusted proxy (anyone else could make the page show a URL of their choosing).

import type { Context } from "hono";
import { inCidr, normalizeSocketAddress } from "../../../core/ip.js";
import type { AppEnv } from "../../deps.js";
import type { AdminRouteDeps } from "./deps.js";

const FORWARDED_HOST = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

/** `trusted` are canonical CIDRs (parseTrustedProxies). The result is unchecked: clientConfigs checks it. */
export function requestOrigin(
  c: Context<AppEnv>,
  deps: Pick<AdminRouteDeps, "publicUrl" | "clientAddress">,
  trusted: readonly string[],
): string {
  if (deps.publicUrl !== undefined && deps.publicUrl !== "") return deps.publicUrl;
  const url = new URL(c.req.url);
  // The scheme from the socket (middleware/transport.ts), not from the URL: an absolute-form request
  // target (`GET https://host/...` over plain HTTP) sets the URL's scheme to whatever the client says.
  const secure = c.get("secure");
  const ownScheme = secure === undefined ? url.protocol.slice(0, -1) : secure ? "https" : "http";
  const own = { origin: `${ownScheme}://${url.host}`, host: url.host, scheme: ownScheme };
  const peer = normalizeSocketAddress(deps.clientAddress(c));
  if (peer === undefined || !trusted.some((cidr) => inCidr(peer, cidr))) return own.origin;
  const proto = lastHop(c.req.header("x-forwarded-proto"))?.toLowerCase();
  const host = lastHop(c.req.header("x-forwarded-host"));
  const scheme = proto === "http" || proto === "https" ? proto : own.scheme;
  const authority = host !== undefined && FORWARDED_HOST.test(host) ? host : own.host;
  return `${scheme}://${authority}`;
}

/** The value the nearest proxy added (the last of a comma-separated list). */
function lastHop(v: string | undefined): string | undefined {
  const last = v?.split(",").pop()?.trim();
  return last === undefined || last === "" ? undefined : last;
}
