// Per-request facts the sign-in routes derive the same way everywhere: who is calling (for the login
// limiter), whether the request came over HTTPS (Secure cookie) and which Origin values are ours.
// X-Forwarded-For/-Proto/-Host count only from trusted proxies (client-ip.ts, admin/origin.ts).

import type { Context } from "hono";
import { ipKey } from "../../../services/auth/login-limiter.js";
import { resolveClientIp } from "../../client-ip.js";
import type { AppEnv } from "../../deps.js";
import { problemResponse } from "../../problem.js";
import type { Refuse } from "../../session/csrf.js";
import { requestOrigin } from "../admin/origin.js";
import type { SessionRouteDeps } from "./deps.js";

export interface RequestFacts {
  readonly clientKey: (c: Context) => string;
  readonly secure: (c: Context) => boolean;
  readonly allowedOrigins: (c: Context) => readonly string[];
  readonly refuse: Refuse;
}

/** `trusted` are canonical CIDRs (parseTrustedProxies). */
export function requestFacts(
  deps: Pick<SessionRouteDeps, "publicUrl" | "clientAddress" | "log">,
  trusted: readonly string[],
): RequestFacts {
  const own = (c: Context) =>
    requestOrigin(c as Context<AppEnv>, { publicUrl: undefined, clientAddress: deps.clientAddress }, trusted);
  const configured = publicOrigin(deps.publicUrl);
  return {
    clientKey: (c) =>
      ipKey(resolveClientIp(deps.clientAddress(c), c.req.header("x-forwarded-for"), trusted)?.text),
    secure: (c) => own(c).startsWith("https:"),
    allowedOrigins: (c) => (configured === undefined ? [own(c)] : [own(c), configured]),
    refuse: (c, e, headers) => problemResponse(c as Context<AppEnv>, e, deps.log, headers),
  };
}

function publicOrigin(url: string | undefined): string | undefined {
  if (url === undefined || url === "") return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
