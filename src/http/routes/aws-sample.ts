// The AWS sample's protocol at the server's root (awslabs/route53-dynamic-dns-with-lambda;
// docs/protocols/aws-sample.md), so its routers and scripts work unchanged:
//   POST /  {"execution_mode":"get"|"set","ddns_hostname":…,"validation_hash":…}  (Function URL form)
//   GET  /?mode=get|set&hostname=…&hash=…                                          (API Gateway form)
// Replies are the sample's JSON, byte for byte as Python's json.dumps wrote them: the POST form
// `{"return_status": …, "return_message": …}` with its status codes (get 200, set 201, unchanged 200,
// malformed 400, refused 401); the GET form `{"return_message": …, "return_status": …}` (the key order
// its PowerShell client parses), always 200 as its API Gateway answered. An unknown name, a host
// without a credential and a wrong hash get the same refusal. Beacon's own temporary answers keep their
// status in both forms: over a limit 429, the store away or the change saved but not yet in DNS
// (dns_pending) 503, with Retry-After where known.
// Other requests to / are not claimed: a GET without `mode` goes on to the console's redirect or 404.

import type { Context, Hono } from "hono";
import { ERRORS, isBeaconError } from "../../core/errors.js";
import type { SampleCompat, SampleSetOutcome } from "../../services/sample-compat.js";
import { MAX_JSON_BODY, readJsonBody } from "../body.js";
import { clientWait } from "../client-limit.js";
import type { AppDeps, AppEnv } from "../deps.js";
import { storeRetryAfter, storeRetryAfterOf } from "../store-outage.js";

type Form = "post" | "get";
type SampleRequest =
  | { readonly mode: "get" }
  | { readonly mode: "set"; readonly hostname: string; readonly hash: string }
  | { readonly invalid: string };

const MODE = "You must pass mode=get or mode=set arguments.";
const HASH = "You must pass a valid sha256 hash in the hash= argument.";
const DENIED = "Validation hashes do not match.";
const MATCHES = "Your IP address matches the current Route53 DNS record.";
// The sample checks only that the hash starts with 64 hex digits (Python's re.match).
const HASH_PREFIX = /^[0-9a-fA-F]{64}/;

export function registerAwsSampleRoutes(app: Hono<AppEnv>, deps: AppDeps, sample: SampleCompat): void {
  app.post("/", (c) => answer(c, deps, sample, "post", () => readPost(c, deps)));
  app.get("/", (c, next) =>
    // HEAD is routed here too and must change nothing: not claimed (404).
    c.req.method !== "GET" || c.req.query("mode") === undefined
      ? next()
      : answer(c, deps, sample, "get", () => Promise.resolve(readGet(c))),
  );
}

async function answer(
  c: Context<AppEnv>,
  deps: AppDeps,
  sample: SampleCompat,
  form: Form,
  read: () => Promise<SampleRequest>,
): Promise<Response> {
  try {
    const req = await read();
    const wait = clientWait(deps, c, "mode" in req && req.mode === "get" ? "client_ip" : "client");
    if (wait !== undefined)
      return respond(
        c,
        form,
        429,
        false,
        `too many requests from this network; try again in ${wait} s`,
        wait,
      );
    if ("invalid" in req) return respond(c, form, 400, false, req.invalid);
    const ip = c.get("clientIp");
    if (ip === undefined) return respond(c, form, 500, false, "the runtime gave no client address");
    if (req.mode === "get") return respond(c, form, 200, true, ip.text);
    const outcome = await sample.set({
      source: ip,
      hostname: req.hostname,
      hash: req.hash,
      userAgent: c.req.header("user-agent"),
    });
    return outcomeReply(c, form, req.hostname, ip.text, outcome);
  } catch (e) {
    const retryAfter = storeRetryAfterOf(e);
    if (retryAfter !== undefined)
      return respond(c, form, 503, false, ERRORS.store_unavailable.title, retryAfter);
    // A body Beacon refuses to read (too large, not JSON): the sample's "fail" shape, 400.
    if (isBeaconError(e) && e.status < 500) return respond(c, form, 400, false, e.message);
    deps.log.error({ err: e, requestId: c.get("requestId") }, "aws-sample request failed");
    return respond(c, form, 500, false, "Unknown error");
  }
}

function outcomeReply(
  c: Context<AppEnv>,
  form: Form,
  hostname: string,
  ip: string,
  outcome: SampleSetOutcome,
): Response {
  switch (outcome.status) {
    case "denied":
      return respond(c, form, 401, false, DENIED);
    case "nochg":
      return respond(c, form, 200, true, MATCHES);
    case "good":
      return form === "post"
        ? respond(c, form, 201, true, `${hostname} has been updated to ${ip}`)
        : respond(c, form, 200, true, `Your hostname record ${hostname} has been set to ${ip}`);
    case "failed": {
      // Over a limit: 429; the store away or DNS not yet accepting (dns_pending): 503; both temporary.
      const limited = outcome.retryAfterSeconds !== undefined;
      const retryAfter = outcome.retryAfterSeconds ?? storeRetryAfter(outcome.code);
      const status = limited ? 429 : ERRORS[outcome.code].status;
      return respond(c, form, status, false, outcome.message, retryAfter);
    }
  }
}

async function readPost(c: Context<AppEnv>, deps: AppDeps): Promise<SampleRequest> {
  const body = await readJsonBody(c.req.raw, deps.maxBodyBytes ?? MAX_JSON_BODY);
  const field = (name: string): unknown =>
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)[name]
      : undefined;
  return parse(field("execution_mode"), field("ddns_hostname"), field("validation_hash"), "ddns_hostname");
}

function readGet(c: Context<AppEnv>): SampleRequest {
  // The sample's API Gateway read only these; `internalIp` asked it to publish another address, which
  // Beacon does not do (the hash does not cover it): refused rather than silently ignored.
  if ((c.req.query("internalIp") ?? "") !== "")
    return { invalid: "internalIp is not supported: Beacon publishes the address it sees." };
  return parse(c.req.query("mode"), c.req.query("hostname"), c.req.query("hash"), "hostname");
}

/** The sample's checks, in its order: the mode, then (set) the hostname and the hash's form. */
function parse(mode: unknown, hostname: unknown, hash: unknown, hostnameField: string): SampleRequest {
  if (mode === "get") return { mode };
  if (mode !== "set") return { invalid: MODE };
  if (typeof hostname !== "string" || hostname === "")
    return { invalid: `You must pass a hostname in the ${hostnameField} argument.` };
  if (typeof hash !== "string" || !HASH_PREFIX.test(hash)) return { invalid: HASH };
  return { mode, hostname, hash };
}

/**
 * The sample's reply. The GET form answers 200 whatever happened (as its API Gateway did), except for
 * Beacon's temporary answers (429, 503), which keep their status and carry `retryAfter` (seconds).
 */
function respond(
  c: Context<AppEnv>,
  form: Form,
  status: number,
  success: boolean,
  message: string,
  retryAfter?: number,
): Response {
  const s = pythonString(success ? "success" : "fail");
  const m = pythonString(message);
  const post = form === "post";
  const body = post
    ? `{"return_status": ${s}, "return_message": ${m}}`
    : `{"return_message": ${m}, "return_status": ${s}}`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "cache-control": "no-store",
    // The sample's Lambda sent these with every reply.
    ...(post
      ? {
          "access-control-allow-headers": "Content-Type",
          "access-control-allow-origin": "*",
          "access-control-allow-methods": "GET",
        }
      : {}),
    ...(retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }),
  };
  const shown = post || status === 429 || status === 503 ? status : 200;
  return c.body(body, shown as 200, headers);
}

/** A JSON string as Python's json.dumps writes it: every non-ASCII code unit as \uXXXX. */
export function pythonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
