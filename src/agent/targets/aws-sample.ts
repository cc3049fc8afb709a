// Target "aws-sample": the protocol of the AWS sample (awslabs/route53-dynamic-dns-with-lambda), as
// its Function URL speaks it and as Beacon's compatibility endpoint does (docs/serverless.md).
//   protocol post (current): POST {url} {"execution_mode":"get"}, then
//     POST {url} {"execution_mode":"set","ddns_hostname":h,"validation_hash":sha256(ip+h+secret)}
//   protocol get (older, API Gateway): GET {url}?mode=get, then GET {url}?mode=set&hostname=h&hash=…
// Replies are JSON {"return_status":"success"|"fail","return_message":…}: the current sample uses
// HTTP 200 (unchanged) / 201 (updated) / 400 / 401 (hash) / 403 (no config) / 500; the older one
// answers 200 for everything, so the message decides there.
//
// The server sets the record to the address it sees and checks the hash against that address, so a
// set can only ever publish that address: like the sample's own client this target asks `get` first,
// and it refuses (retry address_mismatch, nothing sent) when the server sees another address than the
// one to publish (another line, a VPN, a proxy, the other family) rather than publish the wrong one.
// The request goes over the record's family (A: IPv4, AAAA: IPv6) and its bound local address.

import { createHash } from "node:crypto";
import { z } from "zod";
import { parseIp } from "../../core/ip.js";
import { httpUrlSetting } from "../../net/http-url.js";
import type { HttpReply } from "../../net/http.js";
import { parseRetryAfter } from "../../net/retry-after.js";
import { invalidRequest, neverThrows, quoteBody, transportFailure } from "./failures.js";
import type {
  PublishRequest,
  PublishResult,
  Target,
  TargetDefinition,
  TargetDeps,
  TargetFailure,
} from "./types.js";

export interface AwsSampleTargetSettings {
  /** The Function URL (or the older API Gateway stage URL). */
  readonly url: string;
  /** The name exactly as the table's `hostname` key spells it (it is part of the hash). */
  readonly hostname?: string | undefined;
  /** The table's shared_secret, resolved from shared_secret_file by config. */
  readonly shared_secret: string;
  readonly protocol: "post" | "get";
}

const settings: z.ZodType<AwsSampleTargetSettings> = z.strictObject({
  url: httpUrlSetting({ allowQuery: false }),
  hostname: z
    .string({ error: "expected the hostname as the sample's table spells it" })
    .regex(/^[^\s]{1,253}$/, { error: "expected one hostname, without spaces" })
    .optional(),
  shared_secret: z
    .string({ error: "expected the shared secret (or shared_secret_file)" })
    .min(1, { error: "the shared secret is empty" })
    .max(1024, { error: "the shared secret is longer than 1024 characters" }),
  protocol: z
    .enum(["post", "get"], { error: 'expected "post" (the current sample) or "get" (older)' })
    .default("post"),
});

export const awsSampleTarget: TargetDefinition<AwsSampleTargetSettings> = {
  type: "aws-sample",
  description:
    "The AWS sample's protocol (route53-dynamic-dns-with-lambda): get the address, then a hashed set",
  settings,
  create: (id, s, deps) => createAwsSampleTarget(id, s, deps),
};

/** The hash the sample checks: hex sha256 of address, hostname and secret, concatenated. */
export function sampleHash(ip: string, hostname: string, secret: string): string {
  return createHash("sha256")
    .update(ip + hostname + secret, "utf8")
    .digest("hex");
}

function createAwsSampleTarget(id: string, s: AwsSampleTargetSettings, deps: TargetDeps): Target {
  const what = `aws-sample ${id}`;
  const send = (req: PublishRequest, fields: Record<string, string>): Promise<HttpReply> => {
    const common = {
      headers: { "user-agent": deps.userAgent, accept: "application/json" },
      family: req.type === "A" ? (4 as const) : (6 as const),
      signal: req.signal,
      ...(req.localAddress === undefined ? {} : { localAddress: req.localAddress }),
    };
    if (s.protocol === "get") {
      const url = new URL(s.url);
      for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
      return deps.httpRequest(url.toString(), { ...common, method: "GET" });
    }
    const body = Object.fromEntries(Object.entries(fields).map(([k, v]) => [POST_FIELDS[k] ?? k, v]));
    return deps.httpRequest(s.url, {
      ...common,
      method: "POST",
      headers: { ...common.headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  };

  return {
    id,
    publish: (req) =>
      neverThrows(req.signal, what, async () => {
        const invalid = invalidRequest(req);
        if (invalid !== undefined) return invalid;
        const [value, ...more] = req.values;
        if (value === undefined || more.length > 0)
          return {
            status: "fatal",
            code: "invalid_request",
            detail: "the sample's protocol sets exactly one address",
          };
        const hostname = s.hostname ?? req.fqdn;
        const now = deps.clock();

        let reply: HttpReply;
        try {
          reply = await send(req, { mode: "get" });
        } catch (e) {
          return transportFailure(e, req.signal, what);
        }
        const seen = readReply(reply);
        const seenIp = seen.kind === "success" ? seen.message.trim() : "";
        if (seen.kind !== "success" || reply.status !== 200 || parseIp(seenIp) === undefined)
          return failure(reply, seen, `${what} get`, now);
        if (parseIp(seenIp)?.text !== parseIp(value)?.text)
          return {
            status: "retry",
            code: "address_mismatch",
            detail: `${what}: the server sees ${seenIp}, not ${value}; a set can only publish the address the server sees, so nothing was sent`,
          };

        try {
          reply = await send(req, {
            mode: "set",
            hostname,
            hash: sampleHash(seenIp, hostname, s.shared_secret),
          });
        } catch (e) {
          return transportFailure(e, req.signal, what);
        }
        return resultOf(reply, `${what} set ${req.type} ${hostname} ${value}`, now);
      }),
  };
}

/** Query parameter of the older protocol → JSON field of the current one. */
const POST_FIELDS: Record<string, string> = {
  mode: "execution_mode",
  hostname: "ddns_hostname",
  hash: "validation_hash",
};

type Reading =
  { readonly kind: "success" | "fail"; readonly message: string } | { readonly kind: "unreadable" };

function readReply(reply: HttpReply): Reading {
  let json: unknown;
  try {
    json = JSON.parse(reply.body);
  } catch {
    return { kind: "unreadable" };
  }
  if (typeof json !== "object" || json === null) return { kind: "unreadable" };
  const { return_status: status, return_message: message } = json as Record<string, unknown>;
  if ((status !== "success" && status !== "fail") || typeof message !== "string")
    return { kind: "unreadable" };
  return { kind: status, message: message.slice(0, 300) };
}

function resultOf(reply: HttpReply, what: string, now: number): PublishResult {
  const r = readReply(reply);
  if (r.kind !== "success" || reply.status < 200 || reply.status > 299) return failure(reply, r, what, now);
  if (/matches the current/i.test(r.message)) return { status: "noop", detail: `${what}: ${r.message}` };
  return { status: "updated", detail: `${what}: ${r.message}` };
}

/** Anything but a success: the sample's error replies by status, or (older: always 200) by message. */
function failure(reply: HttpReply, r: Reading, what: string, now: number): TargetFailure {
  const said = r.kind === "unreadable" ? quoteBody(reply.body) : JSON.stringify(r.message);
  const detail = `${what}: HTTP ${reply.status} ${said}`;
  const message = r.kind === "unreadable" ? "" : r.message;
  if (reply.status === 401 || /hashes do not match/i.test(message))
    return { status: "fatal", code: "unauthorized", detail: `${detail} (check shared_secret and hostname)` };
  if (reply.status >= 500 || reply.status === 429 || reply.status === 408) {
    const wait = parseRetryAfter(reply.headers["retry-after"], now);
    const code = reply.status === 429 ? "rate_limited" : "server_error";
    return wait === undefined
      ? { status: "retry", code, detail }
      : { status: "backoff", code, detail, retryAfterMs: wait };
  }
  if (reply.status === 403)
    return r.kind === "unreadable"
      ? {
          status: "fatal",
          code: "forbidden",
          detail: `${detail} (a Function URL needs both invoke permissions)`,
        }
      : {
          status: "fatal",
          code: "host_not_found",
          detail: `${detail} (the server has no entry for hostname)`,
        };
  if (reply.status === 400 || /valid sha256 hash|mode=get or mode=set/i.test(message))
    return { status: "fatal", code: "bad_request", detail };
  if (reply.status >= 400) return { status: "fatal", code: `http_${reply.status}`, detail };
  // Not the sample's JSON, or a success that is not one (a get without an address, a 1xx/3xx).
  if (r.kind !== "fail") return { status: "retry", code: "bad_reply", detail };
  return { status: "retry", code: "server_error", detail };
}
