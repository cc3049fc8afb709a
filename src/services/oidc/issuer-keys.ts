// The signing keys of OpenID Connect issuers: `<issuer>/.well-known/openid-configuration` gives the
// `jwks_uri`, whose key set jose's createLocalJWKSet turns into a key lookup. Fetched through the
// injected HttpRequest (bounded time and size), cached per issuer.
//
// Promises: the discovery document's `issuer` must equal the configured one exactly and its
// `jwks_uri` be https or on the issuer's own origin, else the issuer is unusable. A key set is
// cached for `maxAgeMs`; `refresh` (a `kid` the cache lacks: the issuer rotated its keys) fetches
// again, but at most once per `cooldownMs` per issuer, so tokens with made-up kids cannot make
// Beacon hammer the issuer. Every failure rejects with oidc_unavailable (503: try again later),
// never with anything else; a failed fetch is not cached, the next request tries again.

import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

import type { Clock } from "../../core/clock.js";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import type { HttpRequest } from "../../net/http.js";

export interface IssuerKeysDeps {
  readonly http: HttpRequest;
  readonly clock: Clock;
  /** Each fetch's time limit (default 5 s). */
  readonly timeoutMs?: number;
  /** How long a key set is used before it is fetched again (default 1 h). */
  readonly maxAgeMs?: number;
  /** Least time between two fetches of one issuer's keys (default 30 s). */
  readonly cooldownMs?: number;
  /** Default AbortSignal.timeout. */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
}

export interface IssuerKeys {
  /** The issuer's key lookup, fetched if not cached or too old. */
  keys(issuer: string): Promise<JWTVerifyGetKey>;
  /** Fetches again unless the last fetch is within the cooldown; resolves whether it did. */
  refresh(issuer: string): Promise<boolean>;
}

const MAX_DOCUMENT_BYTES = 64 * 1024;
const MAX_JWKS_BYTES = 256 * 1024;

interface Cached {
  readonly keys: JWTVerifyGetKey;
  readonly fetchedAt: number;
}

export function createIssuerKeys(deps: IssuerKeysDeps): IssuerKeys {
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const maxAgeMs = deps.maxAgeMs ?? 3_600_000;
  const cooldownMs = deps.cooldownMs ?? 30_000;
  const timeoutSignal = deps.timeoutSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  const cache = new Map<string, Cached>();
  /** One fetch per issuer at a time: concurrent requests share it. */
  const inFlight = new Map<string, Promise<Cached>>();

  const unavailable = (issuer: string, why: string, cause?: unknown): BeaconError =>
    new BeaconError("oidc_unavailable", `issuer ${issuer}: ${why}`, { cause });

  async function getJson(issuer: string, url: string, maxBytes: number): Promise<unknown> {
    let reply;
    try {
      reply = await deps.http(url, {
        headers: { accept: "application/json" },
        signal: timeoutSignal(timeoutMs),
        maxBytes,
      });
    } catch (e) {
      throw unavailable(issuer, `${url}: ${isBeaconError(e) ? e.message : "request failed"}`, e);
    }
    if (reply.status !== 200) throw unavailable(issuer, `${url} answered HTTP ${reply.status}`);
    try {
      return JSON.parse(reply.body) as unknown;
    } catch {
      throw unavailable(issuer, `${url} did not answer JSON`);
    }
  }

  async function fetchKeys(issuer: string): Promise<Cached> {
    const discovery = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const doc = await getJson(issuer, discovery, MAX_DOCUMENT_BYTES);
    const { issuer: claimed, jwks_uri: jwksUri } = (doc ?? {}) as Record<string, unknown>;
    if (claimed !== issuer)
      throw unavailable(
        issuer,
        `the discovery document names issuer ${JSON.stringify(claimed)?.slice(0, 200)}`,
      );
    if (typeof jwksUri !== "string" || !acceptableJwksUri(issuer, jwksUri))
      throw unavailable(issuer, "the discovery document's jwks_uri is not https nor on the issuer's origin");
    const jwks = await getJson(issuer, jwksUri, MAX_JWKS_BYTES);
    let keys: JWTVerifyGetKey;
    try {
      keys = createLocalJWKSet(jwks as JSONWebKeySet);
    } catch (e) {
      throw unavailable(issuer, `${jwksUri} is not a JSON Web Key Set`, e);
    }
    const cached = { keys, fetchedAt: deps.clock() };
    cache.set(issuer, cached);
    return cached;
  }

  function load(issuer: string): Promise<Cached> {
    const running = inFlight.get(issuer);
    if (running !== undefined) return running;
    const p = fetchKeys(issuer).finally(() => inFlight.delete(issuer));
    inFlight.set(issuer, p);
    return p;
  }

  return {
    async keys(issuer) {
      const cached = cache.get(issuer);
      if (cached !== undefined && deps.clock() - cached.fetchedAt < maxAgeMs) return cached.keys;
      return (await load(issuer)).keys;
    },

    async refresh(issuer) {
      const cached = cache.get(issuer);
      if (cached !== undefined && deps.clock() - cached.fetchedAt < cooldownMs) return false;
      await load(issuer);
      return true;
    },
  };
}

/** https anywhere, or the issuer's own origin (an http issuer on loopback serves its keys itself). */
function acceptableJwksUri(issuer: string, raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.origin === new URL(issuer).origin;
  } catch {
    return false;
  }
}
