// The signed-in admin's own TOTP factor (signed in; changes need the CSRF token):
//   GET  /session/totp          → {enabled, pending, recoveryCodesLeft}
//   POST /session/totp/secret   → {secret, uri}: a new pending secret (replaces a pending one);
//                                 409 totp_enabled when on already
//   POST /session/totp/enable   {code} → {recoveryCodes}: shown this once; 403 wrong_code,
//                                 409 totp_not_enabled without a pending secret
//   POST /session/totp/disable  {password, code} → 204; 403 wrong_password or wrong_code (both counted
//                                 by the login limiter like failed sign-ins), 409 totp_not_enabled
// The account in the URI is the user name; the issuer is "Beacon", with http.public_url's host name
// when set (several servers stay apart in the app).

import type { Context, Hono, MiddlewareHandler } from "hono";
import { BeaconError } from "../../../core/errors.js";
import { attemptKeys } from "../../../services/auth/login-limiter.js";
import type { VerifyGate } from "../../../services/auth/verify-gate.js";
import { readStringFields } from "../../session/fields.js";
import type { SessionEnv } from "../../session/guard.js";
import { MAX_PASSWORD_FIELD } from "../../session/login.js";
import { guarded } from "../../session/respond.js";
import type { RequestFacts } from "./context.js";
import type { SessionRouteDeps } from "./deps.js";
import { requirePassword } from "./password.js";
import { MAX_CODE_FIELD } from "./second-factor.js";

function issuerOf(publicUrl: string | undefined): string {
  try {
    return publicUrl === undefined || publicUrl === "" ? "Beacon" : `Beacon (${new URL(publicUrl).hostname})`;
  } catch {
    return "Beacon";
  }
}

function userOf(c: Context<SessionEnv>): string {
  const name = c.get("user")?.name;
  if (name === undefined) throw new BeaconError("unauthorized");
  return name;
}

export function registerTotpRoutes(
  app: Hono<SessionEnv>,
  deps: SessionRouteDeps,
  facts: RequestFacts,
  gate: VerifyGate,
  guard: MiddlewareHandler<SessionEnv>,
): void {
  const { secondFactor, limiter, log } = deps;
  const issuer = issuerOf(deps.publicUrl);
  const noStore = (c: Context) => c.header("cache-control", "no-store");

  app.get(
    "/session/totp",
    guard,
    guarded(facts.refuse, async (c: Context<SessionEnv>) => {
      const { enabled, pending, recoveryCodesLeft } = await secondFactor.status(userOf(c));
      noStore(c);
      return c.json({ enabled, pending, recoveryCodesLeft }, 200);
    }),
  );

  app.post(
    "/session/totp/secret",
    guard,
    guarded(facts.refuse, async (c: Context<SessionEnv>) => {
      const secret = await secondFactor.begin(userOf(c), issuer);
      noStore(c);
      return c.json(secret, 200);
    }),
  );

  app.post(
    "/session/totp/enable",
    guard,
    guarded(facts.refuse, async (c: Context<SessionEnv>) => {
      const name = userOf(c);
      const { code } = await readStringFields(c.req.raw, { code: MAX_CODE_FIELD });
      const recoveryCodes = await secondFactor.confirm(name, code);
      log.info({ user: name }, "two-factor sign-in turned on");
      noStore(c);
      return c.json({ recoveryCodes }, 200);
    }),
  );

  app.post(
    "/session/totp/disable",
    guard,
    guarded(facts.refuse, async (c: Context<SessionEnv>) => {
      const name = userOf(c);
      const body = await readStringFields(c.req.raw, { password: MAX_PASSWORD_FIELD, code: MAX_CODE_FIELD });
      if (!(await secondFactor.required(name))) throw new BeaconError("totp_not_enabled");
      const keys = attemptKeys(name, facts.clientKey(c));
      await gate.run(() => requirePassword(deps, keys, name, body.password));
      if ((await secondFactor.verify(name, body.code)) === undefined) {
        limiter.failed(keys);
        throw new BeaconError("wrong_code");
      }
      await secondFactor.remove(name);
      log.info({ user: name }, "two-factor sign-in turned off");
      return c.body(null, 204);
    }),
  );
}
