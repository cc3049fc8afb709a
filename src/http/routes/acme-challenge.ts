// ACME HTTP-01 (RFC 8555 §8.3): the CA fetches the key authorization of a pending challenge from
//   GET /.well-known/acme-challenge/<token> → 200 text/plain <key authorization>
// on the HTTP listeners (plain HTTP: the CA asks on port 80). Pending challenges come from the ACME
// service (services/acme/http-01.ts) through `lookup`. A token is base64url (RFC 8555: at least 128
// bits of entropy, so 22+ characters); anything else is not looked up: 404 as for an unknown token.

import type { Hono } from "hono";
import { BeaconError } from "../../core/errors.js";
import type { AppEnv } from "../deps.js";

const TOKEN = /^[A-Za-z0-9_-]{16,256}$/;

export function registerAcmeChallengeRoute(
  app: Hono<AppEnv>,
  lookup: (token: string) => string | undefined,
): void {
  app.get("/.well-known/acme-challenge/:token", (c) => {
    const token = c.req.param("token");
    const value = TOKEN.test(token) ? lookup(token) : undefined;
    if (value === undefined)
      throw new BeaconError("not_found", "no ACME challenge is pending under this token");
    c.header("cache-control", "no-store");
    return c.text(value);
  });
}
