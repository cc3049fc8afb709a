// Authentication for the JSON API: Bearer <JWT> (keyless updates: services/oidc), a signed request
// (http/signed-request.ts), else Bearer <token> or Basic (as for dyndns2). Failures throw
// `unauthorized`, a jwt_* / oidc_unavailable code or a signature code (signature_invalid,
// signature_expired, replayed, signature_required), which the app answers as a problem; 401s carry a
// WWW-Authenticate challenge.

import type { Context, MiddlewareHandler } from "hono";
import { BeaconError } from "../../../core/errors.js";
import type { TokenRecord } from "../../../store/types.js";
import { readCredential } from "../../credentials.js";
import { bearerJwt } from "../../jwt-credential.js";
import { signedToken } from "../../signed-request.js";
import type { AppDeps, AppEnv } from "../../deps.js";

export function requireToken(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const jwt = bearerJwt(c.req.header("authorization"));
    if (jwt !== undefined && deps.jwt !== undefined) {
      // jwt_invalid / jwt_untrusted_issuer 401, jwt_no_rule 403, oidc_unavailable 503 (problem+json).
      c.set("token", await deps.jwt.authenticate(jwt));
      return next();
    }
    if ((await signedToken(c, deps)) === undefined) {
      const cred = readCredential(c.req.header("authorization"));
      if (cred === undefined) throw new BeaconError("unauthorized");
      c.set("token", await deps.tokens.authenticate(cred, c.get("clientIp")));
    }
    await next();
  };
}

/** The token set by requireToken. */
export function tokenOf(c: Context<AppEnv>): TokenRecord {
  const token = c.get("token");
  if (token === undefined) throw new BeaconError("unauthorized");
  return token;
}
