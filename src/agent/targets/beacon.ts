// Target "beacon": a Beacon server's JSON API (docs/api.md) with a bearer token, or, with
// `signing_key` (usually `signing_key_file`), signed requests (docs/protocols/signed-requests.md):
// every request then carries Content-Digest, Signature-Input and Signature instead of the bearer
// token (keyid: the id part of `token`, whose secret is then never sent). The algorithm follows the
// key: an Ed25519 private key PEM signs ed25519, anything else is an HMAC-SHA256 secret in base64.
//   publish → PUT {url}/api/v1/hosts/{fqdn}/records/{type}  {values, ttl?}
//   current → GET {url}/api/v1/hosts/{fqdn}
//   heartbeat → POST {url}/api/v1/heartbeat {hostname} → 200 {hostname, pools: [names]}
// Replies: 200 {"status":"good"} → updated, {"status":"nochg"} → noop; a 4xx problem is fatal with
// its code (the same request will fail the same way); 408/429/5xx retry, or back off for as long as
// Retry-After asks; anything that is not the API's JSON is retried, never taken for success.

import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import { signRequest, type PrivateSigningKey } from "../../services/request-signer.js";
import type { HttpReply } from "../../net/http.js";
import { invalidRequest, neverThrows, quoteBody, transportFailure } from "./failures.js";
import { httpUrlSetting } from "../../net/http-url.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import type {
  HeartbeatResult,
  PublishRequest,
  PublishResult,
  Target,
  TargetDefinition,
  TargetDeps,
  TargetFailure,
} from "./types.js";

export interface BeaconTargetSettings {
  /** Base URL of the server, e.g. "https://ddns.example.net" (a path prefix is kept). */
  readonly url: string;
  /** API token (tk_….secret), resolved from token_file by config; with signing_key its id is enough. */
  readonly token: string;
  /** The token's signing key, resolved from signing_key_file: Ed25519 private key PEM or HMAC secret. */
  readonly signing_key?: string | undefined;
}

const settings: z.ZodType<BeaconTargetSettings> = z
  .strictObject({
    url: httpUrlSetting({ allowQuery: false }),
    token: z
      .string({ error: "expected the API token (or token_file)" })
      .min(1, { error: "the token is empty" }),
    signing_key: z
      .string({ error: "expected the signing key (or signing_key_file)" })
      .refine((k) => privateKeyOf(k) !== undefined, {
        error: "expected an Ed25519 private key PEM or a base64 HMAC secret of at least 16 bytes",
      })
      .optional(),
  })
  .refine((s) => s.signing_key === undefined || /^tk_[a-z2-7]{10}(\.|$)/.test(s.token), {
    error: "with signing_key, token must be the token (or its id, tk_…)",
    path: ["token"],
  });

/** The key to sign with, or undefined when the text is neither kind. */
export function privateKeyOf(text: string): PrivateSigningKey | undefined {
  if (text.includes("-----BEGIN")) {
    try {
      return createPrivateKey(text).asymmetricKeyType === "ed25519"
        ? { alg: "ed25519", key: text }
        : undefined;
    } catch {
      return undefined;
    }
  }
  const ok = /^[A-Za-z0-9+/]+={0,2}$/.test(text) && Buffer.from(text, "base64").length >= 16;
  return ok ? { alg: "hmac-sha256", key: text } : undefined;
}

export const beaconTarget: TargetDefinition<BeaconTargetSettings> = {
  type: "beacon",
  description: "A Beacon server's JSON API (PUT /api/v1/hosts/{fqdn}/records/{type}) with a bearer token",
  settings,
  create: (id, s, deps) => createBeaconTarget(id, s, deps),
};

function createBeaconTarget(id: string, s: BeaconTargetSettings, deps: TargetDeps): Target {
  const base = s.url.replace(/\/+$/, "");
  const key = s.signing_key === undefined ? undefined : privateKeyOf(s.signing_key);
  const keyid = s.token.split(".")[0] ?? "";
  const common = { accept: "application/json, application/problem+json", "user-agent": deps.userAgent };
  /** The headers of one request: the bearer token, or a fresh signature over method, URL and body. */
  const headersFor = (method: string, url: string, body?: string): Record<string, string> =>
    key === undefined
      ? { ...common, authorization: `Bearer ${s.token}` }
      : {
          ...common,
          ...signRequest({
            method,
            url,
            keyid,
            key,
            created: Math.floor(deps.clock() / 1000),
            ...(body === undefined ? {} : { body: new TextEncoder().encode(body) }),
          }),
        };
  const hostUrl = (fqdn: string) => `${base}/api/v1/hosts/${encodeURIComponent(fqdn)}`;
  const sendJson = (
    url: string,
    method: "PUT" | "POST",
    value: unknown,
    signal: AbortSignal,
    from?: string,
  ) => {
    const body = JSON.stringify(value);
    return deps.httpRequest(url, {
      method,
      headers: { ...headersFor(method, url, body), "content-type": "application/json" },
      body,
      signal,
      ...(from === undefined ? {} : { localAddress: from }),
    });
  };

  return {
    id,
    publish: (req) =>
      neverThrows(req.signal, `beacon ${id}`, async () => {
        const invalid = invalidRequest(req);
        if (invalid !== undefined) return invalid;
        let reply: HttpReply;
        try {
          reply = await sendJson(
            `${hostUrl(req.fqdn)}/records/${req.type}`,
            "PUT",
            { values: req.values, ...(req.ttl === undefined ? {} : { ttl: req.ttl }) },
            req.signal,
            req.localAddress,
          );
        } catch (e) {
          return transportFailure(e, req.signal, `beacon ${id}`);
        }
        return interpretBeaconReply(reply, req, deps.clock());
      }),

    heartbeat: (req) =>
      neverThrows(req.signal, `beacon ${id}`, async () => {
        let reply: HttpReply;
        try {
          reply = await sendJson(
            `${base}/api/v1/heartbeat`,
            "POST",
            { hostname: req.fqdn },
            req.signal,
            req.localAddress,
          );
        } catch (e) {
          return transportFailure(e, req.signal, `beacon ${id}`);
        }
        return interpretHeartbeatReply(reply, req.fqdn, deps.clock());
      }),

    async current(fqdn, type, signal) {
      try {
        const url = hostUrl(fqdn);
        const reply = await deps.httpRequest(url, { method: "GET", headers: headersFor("GET", url), signal });
        if (reply.status !== 200) return undefined;
        return valuesOf(JSON.parse(reply.body), type);
      } catch {
        return undefined;
      }
    },
  };
}

/** The reply of PUT …/records/{type} as a PublishResult. */
export function interpretBeaconReply(reply: HttpReply, req: PublishRequest, now: number): PublishResult {
  const json = parseJson(reply.body);
  const what = `${req.type} ${req.fqdn}`;
  if (reply.status >= 200 && reply.status < 300) {
    const status = isRecord(json) ? json.status : undefined;
    if (status === "good") return { status: "updated", detail: `${what} set to ${req.values.join(", ")}` };
    if (status === "nochg") return { status: "noop", detail: `${what} already ${req.values.join(", ")}` };
    return {
      status: "retry",
      code: "bad_reply",
      detail: `${what}: HTTP ${reply.status} without a Beacon status: ${quoteBody(reply.body)}`,
    };
  }
  return replyFailure(reply, json, what, now);
}

/** The reply of POST /api/v1/heartbeat as a HeartbeatResult. */
export function interpretHeartbeatReply(reply: HttpReply, fqdn: string, now: number): HeartbeatResult {
  const json = parseJson(reply.body);
  const what = `heartbeat ${fqdn}`;
  if (reply.status < 200 || reply.status >= 300) return replyFailure(reply, json, what, now);
  const pools: unknown = isRecord(json) ? json.pools : undefined;
  if (!Array.isArray(pools) || !pools.every((p): p is string => typeof p === "string"))
    return {
      status: "retry",
      code: "bad_reply",
      detail: `${what}: HTTP ${reply.status} without a list of pools: ${quoteBody(reply.body)}`,
    };
  const names = pools.slice(0, MAX_POOLS_KEPT);
  return {
    status: "ok",
    pools: names,
    detail: names.length === 0 ? `${what}: accepted; no pool follows this host` : `${what}: accepted`,
  };
}

/** A hostile or broken server cannot make the status hold an unbounded list. */
const MAX_POOLS_KEPT = 100;

/**
 * A reply that is not a success: a 4xx problem is fatal with its code (the same request fails the
 * same way); 408/429/5xx and store_unavailable retry, or back off as long as Retry-After asks.
 */
function replyFailure(reply: HttpReply, json: unknown, what: string, now: number): TargetFailure {
  const problem = isRecord(json) ? json : {};
  const code =
    typeof problem.code === "string" && /^[a-z0-9_]{1,64}$/.test(problem.code)
      ? problem.code
      : defaultCode(reply.status);
  const said = typeof problem.detail === "string" ? problem.detail.slice(0, 200) : quoteBody(reply.body);
  const detail = `${what}: HTTP ${reply.status} ${code}: ${said}`;
  const transient = reply.status >= 500 || reply.status === 408 || reply.status === 429;
  if (transient || code === "store_unavailable") {
    const wait = parseRetryAfter(reply.headers["retry-after"], now);
    return wait === undefined
      ? { status: "retry", code, detail }
      : { status: "backoff", code, detail, retryAfterMs: wait };
  }
  if (reply.status >= 400) return { status: "fatal", code, detail };
  // 1xx/3xx: a redirect we did not follow or a proxy in the way — not an answer from the API.
  return { status: "retry", code, detail };
}

function defaultCode(status: number): string {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 429) return "rate_limited";
  return `http_${status}`;
}

function valuesOf(json: unknown, type: string): readonly string[] | undefined {
  if (!isRecord(json) || !Array.isArray(json.records)) return undefined;
  const set: unknown = json.records.find((r) => isRecord(r) && r.type === type);
  if (set === undefined) return [];
  if (!isRecord(set) || !Array.isArray(set.values)) return undefined;
  const values: unknown[] = set.values;
  if (!values.every((v): v is string => typeof v === "string")) return undefined;
  return [...values].sort();
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
