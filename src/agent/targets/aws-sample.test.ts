// The aws-sample target against a local server that replays the AWS sample's documented replies
// (lambda/index.py and README's troubleshooting for the current POST protocol; v1's API Gateway
// function, which answers 200 to everything, for the older GET one) and checks the hash it receives
// against the address it sees (127.0.0.1 here). Also: a server that sees another address (nothing
// sent), an unknown hostname, a wrong secret, a malformed hash, Route 53 failing (500), a Lambda crash
// (502 HTML), a 503 with Retry-After, a reply that is not the sample's JSON, a 404 page, a Function
// URL's own 403, and bad settings.

import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHttpRequest } from "../../net/http-request.js";
import { loadAgentConfig } from "../config/index.js";
import { awsSampleTarget, sampleHash } from "./aws-sample.js";
import { fakeDeps } from "./testing/contract.js";
import { readBody, serveNode, type TestServer } from "./testing/serve.js";
import type { PublishRequest } from "./types.js";

const http = createHttpRequest();
const LOOPBACK = "127.0.0.1";
const SECRETS: Record<string, string> = { "www.example.com": "SuP3R_5eCR3T", "host1.dyn.example.com.": "S1" };

/** What the fake holds and how it behaves; reset before each test. */
interface Sample {
  records: Map<string, string>;
  /** The address `get` reports instead of the socket's. */
  seen?: string;
  /** A canned reply for `set` instead of the sample's logic. */
  setReply?: { status: number; body: string; headers?: Record<string, string> };
  requests: { method: string; url: string; body: string }[];
}
let sample: Sample;

const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};
const ok = (message: string) => ({ return_status: "success", return_message: message });
const fail = (message: string) => ({ return_status: "fail", return_message: message });

/** The sample's set: [status, body] as lambda/index.py (current) computes them. */
function sampleSet(hostname: string, hash: string, sourceIp: string): [number, unknown] {
  const secret = SECRETS[hostname];
  if (secret === undefined)
    return [
      403,
      fail(`There was an issue finding or reading ${hostname} configuration from dynamoDB table: T`),
    ];
  if (!/[0-9a-fA-F]{64}/.test(hash))
    return [400, fail("You must pass a valid sha256 hash in the hash= argument.")];
  if (sampleHash(sourceIp, hostname, secret) !== hash) return [401, fail("Validation hashes do not match.")];
  if (sample.records.get(hostname) === sourceIp)
    return [200, ok("Your IP address matches the current Route53 DNS record.")];
  sample.records.set(hostname, sourceIp);
  return [201, ok(`${hostname} has been updated to ${sourceIp}`)];
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  sample.requests.push({ method: req.method ?? "", url: req.url ?? "", body });
  const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "";
  const url = new URL(req.url ?? "/", "http://x");
  if (req.method === "POST") {
    const json = JSON.parse(body) as Record<string, string>;
    if (json["execution_mode"] === "get") return reply(res, 200, ok(sample.seen ?? sourceIp));
    if (sample.setReply !== undefined)
      return reply(res, sample.setReply.status, sample.setReply.body, sample.setReply.headers);
    const [status, out] = sampleSet(json["ddns_hostname"] ?? "", json["validation_hash"] ?? "", sourceIp);
    return reply(res, status, out);
  }
  // v1 (API Gateway + the S3 config): always 200, the outcome is in the message.
  const mode = url.searchParams.get("mode");
  if (mode === "get") return reply(res, 200, ok(sample.seen ?? sourceIp));
  const hostname = url.searchParams.get("hostname") ?? "";
  const [status, out] = sampleSet(hostname, url.searchParams.get("hash") ?? "", sourceIp);
  return reply(
    res,
    200,
    status === 201 ? ok(`Your hostname record ${hostname} has been set to ${sourceIp}.`) : out,
  );
}

function publishReq(over: Partial<PublishRequest> = {}): PublishRequest {
  return {
    fqdn: "www.example.com",
    type: "A",
    values: [LOOPBACK],
    ttl: undefined,
    localAddress: undefined,
    signal: AbortSignal.timeout(10_000),
    ...over,
  };
}

describe("aws-sample target against a server replaying the sample", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await serveNode(handle);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    sample = { records: new Map(), requests: [] };
  });

  const target = (over: Record<string, unknown> = {}) =>
    awsSampleTarget.create(
      "home",
      awsSampleTarget.settings.parse({
        url: `${server.url}/`,
        shared_secret: SECRETS["www.example.com"],
        ...over,
      }),
      fakeDeps(http),
    );

  it("POST (current): get, then a set with the right hash → updated, then noop", async () => {
    const t = target();
    expect(await t.publish(publishReq())).toMatchObject({
      status: "updated",
      detail: expect.stringContaining("www.example.com has been updated to 127.0.0.1") as unknown,
    });
    expect(sample.records.get("www.example.com")).toBe(LOOPBACK);
    expect(sample.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { execution_mode: "get" },
      {
        execution_mode: "set",
        ddns_hostname: "www.example.com",
        validation_hash: sampleHash(LOOPBACK, "www.example.com", "SuP3R_5eCR3T"),
      },
    ]);
    expect(await t.publish(publishReq())).toMatchObject({ status: "noop" });
  });

  it("GET (older): ?mode=get then ?mode=set&hostname&hash; the table's spelling (trailing dot) is hashed", async () => {
    const t = target({ protocol: "get", hostname: "host1.dyn.example.com.", shared_secret: "S1" });
    expect(await t.publish(publishReq())).toMatchObject({ status: "updated" });
    expect(sample.records.get("host1.dyn.example.com.")).toBe(LOOPBACK);
    const set = new URL(sample.requests[1]?.url ?? "", "http://x").searchParams;
    expect([set.get("mode"), set.get("hostname"), set.get("hash")]).toEqual([
      "set",
      "host1.dyn.example.com.",
      sampleHash(LOOPBACK, "host1.dyn.example.com.", "S1"),
    ]);
    expect(await t.publish(publishReq())).toMatchObject({ status: "noop" });
  });

  it("retries (bad_reply) a get that names no address, sending no set", async () => {
    sample.seen = "not-an-address";
    expect(await target().publish(publishReq())).toMatchObject({ status: "retry", code: "bad_reply" });
    expect(sample.requests).toHaveLength(1);
  });

  it("sends no set when the server sees another address than the one to publish", async () => {
    sample.seen = "198.51.100.7";
    const r = await target().publish(publishReq());
    expect(r).toMatchObject({ status: "retry", code: "address_mismatch" });
    expect(r.detail).toContain("the server sees 198.51.100.7, not 127.0.0.1");
    expect(sample.requests).toHaveLength(1);
  });

  it.each([
    ["a wrong secret (401)", { shared_secret: "wrong" }, "post", "unauthorized"],
    ["a wrong secret (older: 200 fail)", { shared_secret: "wrong" }, "get", "unauthorized"],
    ["a hostname the table lacks (403)", { hostname: "nope.example.com" }, "post", "host_not_found"],
  ])("%s is fatal", async (_name, over, protocol, code) => {
    const r = await target({ ...over, protocol }).publish(publishReq());
    expect(r).toMatchObject({ status: "fatal", code });
    expect(sample.records.size).toBe(0);
  });

  it.each([
    [
      "a malformed hash (400)",
      { status: 400, body: JSON.stringify(fail("You must pass a valid sha256 hash in the hash= argument.")) },
      "fatal",
      "bad_request",
    ],
    [
      "Route 53 failing (500)",
      { status: 500, body: JSON.stringify(fail("An error occurred (Throttling)")) },
      "retry",
      "server_error",
    ],
    [
      "a Lambda crash (502 HTML)",
      { status: 502, body: "<html>Internal Server Error</html>" },
      "retry",
      "server_error",
    ],
    [
      "success with a 500",
      { status: 500, body: JSON.stringify(ok("x has been updated to y")) },
      "retry",
      "server_error",
    ],
    ["not the sample's JSON", { status: 200, body: '{"status":"good"}' }, "retry", "bad_reply"],
    [
      "a 404 HTML page (not the Function URL)",
      { status: 404, body: "<html>Not Found</html>" },
      "fatal",
      "http_404",
    ],
    [
      "a Function URL's own 403 (a permission missing)",
      { status: 403, body: '{"Message":"Forbidden"}' },
      "fatal",
      "forbidden",
    ],
  ])("set answered with %s → %s", async (_name, setReply, status, code) => {
    sample.setReply = setReply;
    expect(await target().publish(publishReq())).toMatchObject({ status, code });
  });

  it("backs off as long as a 503's Retry-After asks", async () => {
    sample.setReply = {
      status: 503,
      body: JSON.stringify(fail("stored, Route 53 pending")),
      headers: { "retry-after": "120" },
    };
    expect(await target().publish(publishReq())).toMatchObject({
      status: "backoff",
      code: "server_error",
      retryAfterMs: 120_000,
    });
  });

  it("refuses several values without sending anything", async () => {
    const r = await target().publish(publishReq({ values: [LOOPBACK, "127.0.0.2"] }));
    expect(r).toMatchObject({ status: "fatal", code: "invalid_request" });
    expect(sample.requests).toEqual([]);
  });
});

describe("aws-sample settings", () => {
  it.each([
    [{ url: "http://127.0.0.1/" }, "shared_secret"],
    [{ url: "http://127.0.0.1/", shared_secret: "" }, "the shared secret is empty"],
    [{ url: "http://127.0.0.1/", shared_secret: "x".repeat(1025) }, "longer than 1024"],
    [{ url: "http://127.0.0.1/?mode=get", shared_secret: "x" }, "a query string is not allowed"],
    [{ url: "http://127.0.0.1/", shared_secret: "x", protocol: "put" }, "post"],
    [{ url: "http://127.0.0.1/", shared_secret: "x", hostname: "a b" }, "without spaces"],
    [{ url: "http://127.0.0.1/", shared_secret: "x", secret: "y" }, "secret"],
  ])("refuses %o", (input, message) => {
    const parsed = awsSampleTarget.settings.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(message);
  });

  it("defaults to the current protocol and the record's name", () => {
    expect(
      awsSampleTarget.settings.parse({ url: "https://x.lambda-url.eu-west-1.on.aws/", shared_secret: "s" }),
    ).toEqual({
      url: "https://x.lambda-url.eu-west-1.on.aws/",
      shared_secret: "s",
      protocol: "post",
    });
  });

  it("reads shared_secret from shared_secret_file in the agent's config", () => {
    const yaml = [
      "targets:",
      "  lambda:",
      "    type: aws-sample",
      "    url: https://abc.lambda-url.eu-west-1.on.aws/",
      "    hostname: www.example.com",
      "    shared_secret_file: sample-secret",
      "records:",
      "  - { name: www.example.com, type: A, target: lambda }",
      "",
    ].join("\n");
    const read = (path: string) =>
      ({ "/etc/beacon/agent.yaml": yaml, "/etc/beacon/sample-secret": "SuP3R_5eCR3T\n" })[path] ?? "";
    const config = loadAgentConfig({
      file: "/etc/beacon/agent.yaml",
      env: {},
      flags: {},
      cwd: "/",
      readFile: read,
    });
    expect(config.targets.get("lambda")?.settings).toMatchObject({
      shared_secret: "SuP3R_5eCR3T",
      protocol: "post",
    });
  });
});
