// Checks in front of the local page and its API, before any authentication:
//
// - Host: a browser tricked by DNS rebinding sends the attacker's name as Host. Accepted: the listen
//   address itself; localhost names and loopback addresses when listening on loopback; any IP
//   literal when listening on a wildcard address; any name at all once a password protects the page
//   (the attacker's origin never holds the session cookie). Everything else → 403 bad_host.
// - Origin: a state-changing request must come from this page. `Origin` present and not this origin,
//   or `Sec-Fetch-Site` other than same-origin/none → 403 csrf_failed. (Port numbers do not make a
//   different "site", so `same-site` is refused too: another local web app must not drive the agent.)

import type { MiddlewareHandler } from "hono";
import type { ListenScope } from "../config/listen-scope.js";
import { parseIp } from "../../core/ip.js";
import { sameOriginGuard } from "../../http/session/csrf.js";
import type { Log } from "../../core/log.js";
import { problemResponse, refuse } from "./problem.js";

export interface HostRule {
  /** The configured listen host (an IP literal or a name), as in status.listen. */
  readonly listenHost: string;
  readonly scope: ListenScope;
  readonly passwordSet: boolean;
}

/** The host part of a Host header ("[::1]:9876" → "::1", "Localhost:1" → "localhost"); undefined if malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const h = header.trim().toLowerCase();
  if (h.length === 0 || h.length > 255) return undefined;
  const m = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h) ?? /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  const name = m?.[1]?.replace(/\.$/, "");
  return name === undefined || name === "" ? undefined : name;
}

function isLoopback(ipText: string): boolean {
  return ipText === "::1" || ipText.startsWith("127.");
}

function isLocalhost(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost");
}

export function hostAllowed(header: string | undefined, rule: HostRule): boolean {
  const name = hostName(header);
  if (name === undefined) return false;
  const ip = parseIp(name);
  const listenIp = parseIp(rule.listenHost);
  if (ip !== undefined && listenIp !== undefined && ip.text === listenIp.text) return true;
  if (ip === undefined && name === rule.listenHost.toLowerCase().replace(/\.$/, "")) return true;
  // Bound to loopback, any loopback literal reaches the same socket ("localhost:9876" vs 127.0.0.1).
  if (rule.scope === "loopback" && (isLocalhost(name) || (ip !== undefined && isLoopback(ip.text))))
    return true;
  if (rule.scope === "wildcard" && (ip !== undefined || isLocalhost(name))) return true;
  return rule.passwordSet;
}

export function hostGuard(rule: HostRule, log: Log): MiddlewareHandler {
  return async (c, next) => {
    if (!hostAllowed(c.req.header("host"), rule))
      return refuse("bad_host", log, "this page answers only to the address it listens on (or localhost)");
    await next();
    return undefined;
  };
}

/** The origins the page is served from: this Host over http, or https behind a TLS proxy keeping Host. */
export function ownOrigins(host: string | undefined): string[] {
  return host === undefined ? [] : [`http://${host}`, `https://${host}`];
}

/** Unsafe requests from another origin or site → 403 csrf_failed (src/http/session/csrf.ts). */
export function originGuard(log: Log): MiddlewareHandler {
  return sameOriginGuard({
    allowedOrigins: (c) => ownOrigins(c.req.header("host")),
    refuse: (_c, error, headers) => problemResponse(error, log, headers === undefined ? {} : { headers }),
  });
}
