// Keyless updates: a JWT from a trusted OpenID Connect issuer (GitHub Actions, GitLab CI, a
// Kubernetes service account) authorises what the first trust rule it meets allows (docs/protocols/
// oidc.md). The routes hand over the bearer string; they get back a TokenRecord-shaped credential,
// so the update service checks scope and writes history exactly as for a token.
//
// Order of checks: shape and size; the unverified `iss` picks the candidate rules (none:
// jwt_untrusted_issuer); the header's `alg` must be allowed by one of them (so `none` and HS*, the
// key-confusion trick, never reach a key); the signature against the issuer's keys (a `kid` not in
// the cached key set refetches once: rotation); `exp`, `nbf`, `iat` with ±60 s of skew and at most
// MAX_TOKEN_AGE since `iat`; then per rule, in id order: algorithm, audience, claim conditions.
//
// Promises: never throws anything but jwt_invalid (401), jwt_untrusted_issuer (401), jwt_no_rule
// (403), oidc_unavailable (503) and the store's errors; never logs or returns the token itself.

import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";

import type { Clock } from "../../core/clock.js";
import { BeaconError, type ErrorCode } from "../../core/errors.js";
import { silentLog, type Log } from "../../core/log.js";
import type { TrustStore } from "../../store/ports.js";
import type { TokenRecord, TrustRule } from "../../store/types.js";
import { clip } from "../history-entry.js";
import type { IssuerKeys } from "./issuer-keys.js";
import { unmetConditions } from "./trust-rules.js";

/** Larger than any CI token seen (GitHub's are ~1.2 KB); far below Node's header limit. */
export const MAX_JWT_LENGTH = 8192;
export const CLOCK_SKEW_SECONDS = 60;
export const MAX_TOKEN_AGE_SECONDS = 3600;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * True when a bearer value is shaped like a JWT (three base64url parts). A Beacon token
 * (`tk_….secret`) has one dot, so the two are never confused.
 */
export function looksLikeJwt(value: string): boolean {
  return JWT_SHAPE.test(value);
}

export interface JwtAuthDeps {
  readonly store: Pick<TrustStore, "listTrustRules">;
  readonly keys: IssuerKeys;
  readonly clock: Clock;
  readonly log?: Log;
}

/** What checking a JWT against rules found: the rule it met, or why none. */
export type JwtVerdict =
  | { readonly ok: true; readonly rule: TrustRule; readonly claims: JWTPayload }
  | {
      readonly ok: false;
      readonly error: BeaconError;
      /** As the token claims them (verified only when `verified`). */
      readonly issuer: string | undefined;
      readonly subject: string | undefined;
      readonly verified: boolean;
      /** Per rule that was considered: why it did not match. */
      readonly reasons: readonly string[];
    };

export interface JwtAuthenticator {
  /** The credential the token stands for; throws (see the file's contract) and logs every refusal. */
  authenticate(jwt: string): Promise<TokenRecord>;
  /** The verdict against `rules` (default: every stored rule), for `beacon trust test`. */
  check(jwt: string, rules?: readonly TrustRule[]): Promise<JwtVerdict>;
}

export function createJwtAuthenticator(deps: JwtAuthDeps): JwtAuthenticator {
  const log = deps.log ?? silentLog;

  async function check(jwt: string, given?: readonly TrustRule[]): Promise<JwtVerdict> {
    let issuer: string | undefined;
    let subject: string | undefined;
    let verified = false;
    const refuse = (code: ErrorCode, message: string, reasons: readonly string[] = []): JwtVerdict => ({
      ok: false,
      error: new BeaconError(code, message),
      issuer,
      subject,
      verified,
      reasons,
    });

    if (jwt.length > MAX_JWT_LENGTH) return refuse("jwt_invalid", `the JWT is longer than ${MAX_JWT_LENGTH}`);
    let alg: unknown;
    try {
      if (!looksLikeJwt(jwt)) throw new Error("not three base64url parts");
      alg = decodeProtectedHeader(jwt).alg;
      const unverified = decodeJwt(jwt);
      issuer = typeof unverified.iss === "string" ? clip(unverified.iss, 200) : undefined;
      subject = typeof unverified.sub === "string" ? clip(unverified.sub, 96) : undefined;
    } catch {
      return refuse("jwt_invalid", "not a JWT (three base64url parts: a JSON header and payload)");
    }
    if (issuer === undefined) return refuse("jwt_invalid", "the JWT has no iss claim");
    const rules = (given ?? (await deps.store.listTrustRules())).filter((r) => r.issuer === issuer);
    if (rules.length === 0) return refuse("jwt_untrusted_issuer", `no trust rule names issuer ${issuer}`);
    const algorithms = [...new Set(rules.flatMap((r) => r.algorithms))];
    if (typeof alg !== "string" || !algorithms.includes(alg))
      return refuse(
        "jwt_invalid",
        `algorithm ${String(alg).slice(0, 20)} is not allowed (${algorithms.join(", ")})`,
      );

    let claims: JWTPayload;
    try {
      claims = await verify(jwt, issuer, algorithms);
    } catch (e) {
      if (e instanceof BeaconError) return refuse(e.code, e.message);
      throw e;
    }
    verified = true;

    const reasons: string[] = [];
    let audienceMet = false;
    const audiences = typeof claims.aud === "string" ? [claims.aud] : (claims.aud ?? []);
    for (const rule of rules) {
      const why: string[] = [];
      if (!rule.algorithms.includes(alg))
        why.push(`algorithm ${alg} is not one of ${rule.algorithms.join(", ")}`);
      if (audiences.includes(rule.audience)) audienceMet = true;
      else why.push(`audience ${JSON.stringify(audiences).slice(0, 200)} lacks ${rule.audience}`);
      why.push(...unmetConditions(rule, claims));
      if (why.length === 0) return { ok: true, rule, claims };
      reasons.push(`rule ${rule.id}: ${why.join("; ")}`);
    }
    if (!audienceMet) return refuse("jwt_invalid", "the JWT is not meant for this server (aud)", reasons);
    return refuse("jwt_no_rule", "the JWT's claims meet no trust rule", reasons);
  }

  /** The verified claims; BeaconError jwt_invalid or oidc_unavailable otherwise. */
  async function verify(jwt: string, issuer: string, algorithms: string[]): Promise<JWTPayload> {
    const options = {
      issuer,
      algorithms,
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ["exp", "iat"],
      currentDate: new Date(deps.clock()),
    };
    try {
      return (await jwtVerify(jwt, await deps.keys.keys(issuer), options)).payload;
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey)) throw asBeaconError(e);
    }
    // A kid the cached key set lacks: the issuer may have rotated its keys.
    if (!(await deps.keys.refresh(issuer)))
      throw new BeaconError("jwt_invalid", "no key of the issuer matches the JWT's kid");
    try {
      return (await jwtVerify(jwt, await deps.keys.keys(issuer), options)).payload;
    } catch (e) {
      throw asBeaconError(e);
    }
  }

  return {
    check,
    async authenticate(jwt) {
      const verdict = await check(jwt);
      if (!verdict.ok) {
        const { error, issuer, subject, verified, reasons } = verdict;
        log.info({ code: error.code, issuer, subject, verified, reasons, why: error.message }, "JWT refused");
        throw error;
      }
      const { rule, claims } = verdict;
      const subject = typeof claims.sub === "string" ? clip(claims.sub, 96) : "-";
      log.debug({ rule: rule.id, issuer: rule.issuer, subject }, "JWT accepted");
      return {
        id: `jwt:${rule.id}:${subject}`,
        secretHash: "",
        label: `${rule.issuer} ${subject}`,
        names: rule.names,
        types: rule.types,
        allowedCidrs: [],
        createdAt: rule.createdAt,
        expiresAt: typeof claims.exp === "number" ? claims.exp * 1000 : undefined,
        lastUsedAt: undefined,
        revokedAt: undefined,
      };
    },
  };
}

/** jose's verdict on a token → jwt_invalid; a BeaconError (oidc_unavailable) passes; else the issuer's keys are broken. */
function asBeaconError(e: unknown): BeaconError {
  if (e instanceof BeaconError) return e;
  if (
    e instanceof errors.JWTExpired ||
    e instanceof errors.JWTClaimValidationFailed ||
    e instanceof errors.JWTInvalid ||
    e instanceof errors.JWSInvalid ||
    e instanceof errors.JWSSignatureVerificationFailed ||
    e instanceof errors.JOSEAlgNotAllowed ||
    e instanceof errors.JWKSNoMatchingKey ||
    e instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new BeaconError("jwt_invalid", jwtReason(e));
  }
  return new BeaconError("oidc_unavailable", "the issuer's key set could not be used", { cause: e });
}

function jwtReason(e: errors.JOSEError): string {
  if (e instanceof errors.JWTExpired) return "the JWT has expired";
  if (e instanceof errors.JWTClaimValidationFailed)
    return `the JWT's ${e.claim} claim is not valid now (${e.reason})`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return "the JWT's signature does not verify";
  return `the JWT is not valid: ${e.message.slice(0, 200)}`;
}
