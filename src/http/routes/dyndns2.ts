// The dyndns2 update endpoint (/nic/update, /v3/update). Replies are text/plain reply words, one line
// per requested hostname in request order, or ONE line for account-level failures. Every reply is
// HTTP 200 except badauth (401 + WWW-Authenticate). See docs/protocols/dyndns2.md for each decision.
// Over a limit (docs/limits.md), or saved but not yet accepted by Route 53 (dns_pending, serverless
// edition), the word is 911, with HTTP 503 and Retry-After: the one reply that ddclient and both of
// inadyn's dyndns2 readers treat as temporary. HTTP 429, `abuse`, or a 911 with
// HTTP 200 (for inadyn's `custom` provider) make inadyn exit for good. The store being away
// (store-outage.ts) is answered the same way, also when the token itself could not be looked up: a
// client whose credentials could not be checked hears "try again", never badauth.

import type { Context, Hono } from "hono";
import { dyndns2CodeFor } from "../../core/dyndns2.js";
import { isBeaconError } from "../../core/errors.js";
import { tryNormalizeName } from "../../core/names.js";
import type { DesiredSets } from "../../core/update.js";
import { nameForLabel } from "../../services/scope.js";
import type { Credential } from "../../services/tokens.js";
import type { TokenRecord } from "../../store/types.js";
import { requestBodyBytes } from "../body.js";
import { clientWait } from "../client-limit.js";
import { readCredential } from "../credentials.js";
import { bearerJwt } from "../jwt-credential.js";
import { signedToken } from "../signed-request.js";
import type { AppDeps, AppEnv } from "../deps.js";
import { storeRetryAfter, storeRetryAfterOf } from "../store-outage.js";
import {
  DYNDNS2_LIMITS,
  asFqdn,
  mergeParams,
  parseParams,
  rawQuery,
  readAddresses,
  readHostnames,
  type Params,
} from "../dyndns2-params.js";

const latin1 = new TextDecoder("latin1");
const SIGNED_RETRY_AFTER_SECONDS = 60;

export function registerDyndns2Routes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.on(["GET", "POST"], ["/nic/update", "/v3/update"], (c) =>
    answerWords(c, deps, "dyndns2 update", "GET, POST", () => handle(c, deps)),
  );
}

/**
 * Runs a dyndns2-style handler (also /nic/heartbeat): HEAD is refused (Hono routes HEAD to GET
 * handlers; a HEAD must never change anything), the store being away is 911 + Retry-After, and any
 * other failure 911.
 */
export async function answerWords(
  c: Context<AppEnv>,
  deps: Pick<AppDeps, "log">,
  what: string,
  allow: string,
  handler: () => Promise<Response>,
): Promise<Response> {
  if (c.req.method === "HEAD") return c.body(null, 405, { allow });
  try {
    return await handler();
  } catch (e) {
    const retryAfter = storeRetryAfterOf(e);
    if (retryAfter !== undefined) {
      deps.log.debug({ err: e, requestId: c.get("requestId") }, `${what}: the store is away`);
      return limited(c, "911", retryAfter);
    }
    deps.log.error({ err: e, requestId: c.get("requestId") }, `${what} failed`);
    return reply(c, "911");
  }
}

/** A reply word (or lines); 401 adds the Basic challenge. */
export function reply(c: Context<AppEnv>, body: string, status: 200 | 401 = 200): Response {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (status === 401) headers["www-authenticate"] = 'Basic realm="beacon"';
  return c.text(body, status, headers);
}

/** A reply with at least one line over a limit: 503 + Retry-After (whole seconds). */
export function limited(c: Context<AppEnv>, body: string, retryAfter: number): Response {
  return c.text(body, 503, { "cache-control": "no-store", "retry-after": String(retryAfter) });
}

async function readParams(c: Context<AppEnv>): Promise<Params> {
  const query = parseParams(rawQuery(c.req.url));
  if (c.req.method !== "POST") return query;
  if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded"))
    return query;
  try {
    // %-escapes make the body ASCII; latin1 keeps any stray byte visible to the strict decoder.
    // Kept: a signed request's Content-Digest is checked against it (signed-request.ts).
    const body = latin1.decode(await requestBodyBytes(c.req.raw, DYNDNS2_LIMITS.maxQueryBytes));
    return mergeParams(query, parseParams(body));
  } catch {
    return mergeParams(query, { tooLarge: true, values: new Map() });
  }
}

async function handle(c: Context<AppEnv>, deps: AppDeps): Promise<Response> {
  const wait = clientWait(deps, c, "client");
  if (wait !== undefined) return limited(c, "911", wait);
  const params = await readParams(c);
  const userAgent = c.req.header("user-agent")?.trim();
  if (!userAgent) return reply(c, "badagent");
  const auth = await authenticate(c, deps, params);
  if (auth instanceof Response) return auth;
  const { token, cred } = auth;
  const clientIp = c.get("clientIp");

  const hosts = readHostnames(params, cred.user);
  if (hosts.kind === "none" || hosts.kind === "unreadable") return reply(c, "notfqdn");
  if (hosts.kind === "too_many") return reply(c, "numhost");

  const addresses = readAddresses(params, clientIp);
  const lines: string[] = [];
  const pending: { index: number; fqdn: string }[] = [];
  hosts.items.forEach((item, index) => {
    const fqdn = asFqdn(item) ?? labelForm(item, token);
    if (fqdn === undefined) lines[index] = "notfqdn";
    else if (!addresses.ok) lines[index] = "dnserr";
    else pending.push({ index, fqdn });
  });
  if (!addresses.ok)
    deps.log.info({ requestId: c.get("requestId"), reason: addresses.reason }, "dyndns2 address refused");
  if (pending.length === 0 || !addresses.ok) return reply(c, lines.join("\n"));

  const sets: DesiredSets = {
    ...(addresses.v4 ? { A: { values: [addresses.v4.text] } } : {}),
    ...(addresses.v6 ? { AAAA: { values: [addresses.v6.text] } } : {}),
  };
  const outcomes = await deps.updates.update({
    token,
    hosts: pending.map((p) => p.fqdn),
    sets,
    source: { ip: clientIp?.text ?? "", userAgent, protocol: "dyndns2", tokenId: token.id },
  });
  const shown = [addresses.v4?.text, addresses.v6?.text].filter((s) => s !== undefined).join(",");
  let retryAfter: number | undefined;
  for (const [i, outcome] of outcomes.entries()) {
    const index = pending[i]?.index ?? i;
    if (outcome.status !== "failed") {
      lines[index] = `${outcome.status} ${shown}`;
      continue;
    }
    // A limited host is its own line; a server failure is the whole reply (temporary: the store is away).
    const storeRetry = storeRetryAfter(outcome.code);
    if (outcome.retryAfterSeconds !== undefined)
      retryAfter = Math.max(retryAfter ?? 0, outcome.retryAfterSeconds);
    else if (storeRetry !== undefined) return limited(c, "911", storeRetry);
    else if (dyndns2CodeFor(outcome.code) === "911") return reply(c, "911");
    lines[index] = dyndns2CodeFor(outcome.code);
  }
  return retryAfter === undefined ? reply(c, lines.join("\n")) : limited(c, lines.join("\n"), retryAfter);
}

/**
 * The token of a signed request (signed-request.ts) or of the Basic (or Bearer) credential, set on the
 * context; else the badauth reply (every 401 code: unauthorized, the signature ones), logged with why.
 * A signed request has no credential user (`cred` is empty).
 */
export async function authenticate(
  c: Context<AppEnv>,
  deps: Pick<
    AppDeps,
    "tokens" | "jwt" | "signatures" | "clientAddress" | "trustedProxies" | "maxBodyBytes" | "log"
  >,
  params: Params,
): Promise<{ token: TokenRecord; cred: Partial<Credential> } | Response> {
  // Secrets in URLs end up in proxy and server logs: refuse them loudly rather than use them.
  if (params.values.has("password")) return reply(c, "badauth", 401);
  const jwt = bearerJwt(c.req.header("authorization"));
  if (jwt !== undefined && deps.jwt !== undefined) return authenticateJwt(c, deps.jwt, jwt);
  try {
    const signed = await signedToken(c, deps);
    if (signed !== undefined) return { token: signed, cred: {} };
    const cred = readCredential(c.req.header("authorization"));
    if (cred === undefined) return reply(c, "badauth", 401);
    const token = await deps.tokens.authenticate(cred, c.get("clientIp"));
    c.set("token", token);
    return { token, cred };
  } catch (e) {
    // A key over its nonces per window (request-signatures.ts): try again later, as for other limits.
    if (isBeaconError(e) && e.code === "rate_limited") return limited(c, "911", SIGNED_RETRY_AFTER_SECONDS);
    // A signed body too large to check cannot be authenticated either.
    if (!isBeaconError(e) || (e.status !== 401 && e.code !== "parameter_too_large")) throw e;
    deps.log.info(
      { requestId: c.get("requestId"), code: e.code, reason: e.message, ip: c.get("clientIp")?.text },
      "dyndns2 update refused: badauth",
    );
    return reply(c, "badauth", 401);
  }
}

async function authenticateJwt(
  c: Context<AppEnv>,
  jwtAuth: NonNullable<AppDeps["jwt"]>,
  jwt: string,
): Promise<{ token: TokenRecord; cred: Credential } | Response> {
  let token;
  try {
    token = await jwtAuth.authenticate(jwt);
  } catch (e) {
    const code = isBeaconError(e) ? e.code : undefined;
    if (code === "jwt_invalid" || code === "jwt_untrusted_issuer") return reply(c, "badauth", 401);
    if (code === "jwt_no_rule") return reply(c, "!yours");
    if (code === "oidc_unavailable") return limited(c, "911", OIDC_RETRY_AFTER);
    throw e;
  }
  c.set("token", token);
  return { token, cred: { password: "" } };
}

/** Seconds a client waits when the JWT's issuer could not be reached. */
const OIDC_RETRY_AFTER = 30;

/** A bare label (`hostname=home`) names the one host of the token's scope it fits, if exactly one. */
function labelForm(item: string, token: TokenRecord): string | undefined {
  const label = tryNormalizeName(item);
  return label === undefined || label.includes(".") ? undefined : nameForLabel(token, label);
}
