// The Lambda handler over the composed app (memory store), fed literal fixture events of every shape
// it serves, as hono's own adapter tests do.

import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { loadServerConfig } from "../config/index.js";
import { systemTimers } from "../core/timers.js";
import { CLIENT_V4, OTHER_V4, UA } from "../http/testing/fixture.js";
import { recordingLog } from "../services/testing/recorders.js";
import { composeLambda, route53MirrorId } from "./compose.js";
import { createLambdaHandler, type HttpResult } from "./handler.js";
import { FORGED, HOST, NOW, setup } from "./testing/fixture.js";

/** A Function URL event (payload 2.0), as AWS documents it. */
function functionUrlEvent(over: {
  method?: string;
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
  sourceIp?: string;
  stage?: string;
}): Record<string, unknown> {
  const method = over.method ?? "GET";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: over.rawPath ?? "/nic/update",
    rawQueryString: over.rawQueryString ?? "",
    ...(over.cookies ? { cookies: over.cookies } : {}),
    headers: { host: "abcdefg.lambda-url.us-east-1.on.aws", "user-agent": UA, ...over.headers },
    requestContext: {
      accountId: "anonymous",
      apiId: "abcdefg",
      domainName: "abcdefg.lambda-url.us-east-1.on.aws",
      domainPrefix: "abcdefg",
      http: {
        method,
        path: over.rawPath ?? "/nic/update",
        protocol: "HTTP/1.1",
        sourceIp: over.sourceIp ?? CLIENT_V4,
        userAgent: UA,
      },
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      routeKey: "$default",
      stage: over.stage ?? "$default",
      time: "07/Dec/2026:22:00:00 +0000",
      timeEpoch: NOW,
    },
    ...(over.body === undefined ? {} : { body: over.body }),
    isBase64Encoded: over.isBase64Encoded ?? false,
  };
}

/** A REST API event (payload 1.0) with multi-value headers and query parameters. */
function restEvent(over: { query?: Record<string, string[]>; headers?: Record<string, string[]> } = {}) {
  const headers = { "User-Agent": [UA], Host: ["api.example.com"], ...over.headers };
  return {
    resource: "/{proxy+}",
    path: "/nic/update",
    httpMethod: "GET",
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.at(-1)])),
    multiValueHeaders: headers,
    queryStringParameters: Object.fromEntries(
      Object.entries(over.query ?? {}).map(([k, v]) => [k, v.at(-1)]),
    ),
    multiValueQueryStringParameters: over.query ?? null,
    pathParameters: { proxy: "nic/update" },
    stageVariables: null,
    requestContext: {
      resourcePath: "/{proxy+}",
      httpMethod: "GET",
      path: "/prod/nic/update",
      stage: "prod",
      domainName: "api.example.com",
      identity: { sourceIp: OTHER_V4, userAgent: UA },
    },
    body: null,
    isBase64Encoded: false,
  };
}

const asHttp = (r: unknown) => r as HttpResult;

function problemOf(r: unknown): { status: number; code: unknown; detail: unknown } {
  const res = asHttp(r);
  expect(res.headers?.["content-type"]).toBe("application/problem+json");
  const body = JSON.parse(res.body) as { code: unknown; detail: unknown };
  return { status: res.statusCode, code: body.code, detail: body.detail };
}

describe("Lambda handler: events it serves", () => {
  it("Function URL 2.0: dyndns2 GET /nic/update with Basic auth sets the record", async () => {
    const s = await setup();
    const r = asHttp(
      await s.handler(
        functionUrlEvent({
          rawQueryString: `hostname=${HOST}&myip=${OTHER_V4}`,
          headers: { authorization: s.basic },
        }),
      ),
    );
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe(`good ${OTHER_V4}`);
    expect(r.headers?.["content-type"]).toMatch(/^text\/plain/);
    expect(r.headers?.["x-request-id"]).toMatch(/./);
    expect(r.isBase64Encoded).toBe(false);
    expect((await s.store.getRRSets(HOST)).map((x) => x.values)).toEqual([[OTHER_V4]]);
  });

  it("forged X-Forwarded-For, Forwarded and X-Real-IP are ignored: the address is the sourceIp", async () => {
    const s = await setup();
    const forged = { "x-forwarded-for": FORGED, forwarded: `for=${FORGED}`, "x-real-ip": FORGED };
    const r = asHttp(
      await s.handler(
        functionUrlEvent({
          rawQueryString: `hostname=${HOST}`,
          headers: { authorization: s.basic, ...forged },
        }),
      ),
    );
    expect(r.body).toBe(`good ${CLIENT_V4}`);
    const line = s.logs.find((l) => l.msg === "request");
    expect(line?.obj).toMatchObject({ ip: CLIENT_V4 });
  });

  it("HTTP API 2.0 on a named stage: the stage is taken off rawPath", async () => {
    const s = await setup();
    const r = asHttp(
      await s.handler(
        functionUrlEvent({
          stage: "prod",
          rawPath: "/prod/nic/update",
          rawQueryString: `hostname=${HOST}&myip=${OTHER_V4}`,
          headers: { authorization: s.basic },
        }),
      ),
    );
    expect([r.statusCode, r.body]).toEqual([200, `good ${OTHER_V4}`]);
  });

  it("REST 1.0 with multiValueHeaders and multiValueQueryStringParameters answers in multi-value shape", async () => {
    const s = await setup();
    const event = restEvent({
      query: { hostname: [HOST], myip: ["81.2.69.143"] },
      headers: { Authorization: [s.basic], "X-Forwarded-For": [FORGED] },
    });
    const r = asHttp(await s.handler(event));
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe("good 81.2.69.143");
    expect(r.multiValueHeaders?.["content-type"]?.[0]).toMatch(/^text\/plain/);
    expect(r.headers).toBeUndefined();
    // Without myip the address is the REST identity's sourceIp, not the forged header.
    const again = restEvent({
      query: { hostname: [HOST] },
      headers: { Authorization: [s.basic], "X-Forwarded-For": [FORGED] },
    });
    expect(asHttp(await s.handler(again)).body).toBe(`good ${OTHER_V4}`);
  });

  it("a base64 JSON body reaches the JSON API", async () => {
    const s = await setup();
    const body = Buffer.from(JSON.stringify({ values: ["v=1 lambda"], ttl: 60 })).toString("base64");
    const r = asHttp(
      await s.handler(
        functionUrlEvent({
          method: "PUT",
          rawPath: `/api/v1/hosts/${HOST}/records/TXT`,
          headers: { authorization: s.bearer, "content-type": "application/json" },
          body,
          isBase64Encoded: true,
        }),
      ),
    );
    expect(r.statusCode).toBe(200);
    expect(r.headers?.["content-type"]).toMatch(/^application\/json/);
    expect((await s.store.getRRSets(HOST)).find((x) => x.type === "TXT")?.values).toEqual(["v=1 lambda"]);
  });

  it("cookies reach the app as a Cookie header; Set-Cookie comes back as cookies (2.0)", async () => {
    const app = new Hono();
    app.get("/c", (c) => {
      c.header("set-cookie", "a=1; Path=/", { append: true });
      c.header("set-cookie", "b=2; Path=/", { append: true });
      return c.text(c.req.header("cookie") ?? "");
    });
    const handler = createLambdaHandler({
      log: recordingLog([]),
      load: () =>
        Promise.resolve({
          fetch: (req, env) => app.fetch(req, env),
          onSchedule: () => Promise.resolve({}),
          afterInvocation: () => Promise.resolve(),
        }),
    });
    const r = asHttp(await handler(functionUrlEvent({ rawPath: "/c", cookies: ["x=1", "y=2"] })));
    expect(r.body).toBe("x=1; y=2");
    expect(r.cookies).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(r.headers?.["set-cookie"]).toBeUndefined();
  });

  it("an oversized body answers 413 parameter_too_large, as on the server", async () => {
    const s = await setup({ BEACON_HTTP_MAX_BODY_BYTES: "1024" });
    const r = await s.handler(
      functionUrlEvent({
        method: "PUT",
        rawPath: `/api/v1/hosts/${HOST}/records/TXT`,
        headers: { authorization: s.bearer, "content-type": "application/json" },
        body: JSON.stringify({ values: ["x".repeat(2000)] }),
      }),
    );
    expect(problemOf(r)).toMatchObject({ status: 413, code: "parameter_too_large" });
  });

  it("a scheduled event runs the retry and returns its summary; no HTTP is involved", async () => {
    const s = await setup();
    const r = await s.handler({ source: "aws.events", "detail-type": "Scheduled Event", detail: {} });
    expect(r).toEqual({ ok: true, mirrors: 1, delivered: 2, pending: 0, failed: 0 });
  });

  it("a failing scheduled retry is a summary with the error, not a throw", async () => {
    const s = await setup(
      {},
      {
        acknowledgeUpdates: (u) => u,
        drainAll: () => Promise.reject(new Error("boom")),
      },
    );
    const r = await s.handler({ source: "aws.events", "detail-type": "Scheduled Event" });
    expect(r).toEqual({ ok: false, error: "internal: Internal error" });
  });
});

describe("Lambda handler: composition", () => {
  it("composes once, at the first event, and creates the configured zone's Route 53 mirror", async () => {
    const s = await setup();
    expect(s.composed()).toBe(0);
    await s.handler(functionUrlEvent({ rawPath: "/healthz" }));
    await s.handler(functionUrlEvent({ rawPath: "/healthz" }));
    expect(s.composed()).toBe(1);
    const mirror = await s.store.getMirror(route53MirrorId("dyn.example.com"));
    expect(mirror).toMatchObject({
      id: "route53-dyn-example-com",
      zone: "dyn.example.com",
      provider: "route53",
      settings: { hosted_zone_id: "Z0123456789ABC" },
    });
  });

  it("creates a configured zone the store lacks", async () => {
    const s = await setup({ BEACON_SERVERLESS_ROUTE53_ZONES: "dyn.example.com=Z01,new.example.org=Z02" });
    await s.handler(functionUrlEvent({ rawPath: "/healthz" }));
    expect(await s.store.getZone("new.example.org")).toMatchObject({ name: "new.example.org" });
    expect((await s.store.getMirror("route53-new-example-org"))?.settings).toEqual({ hosted_zone_id: "Z02" });
  });

  it("the limit buckets are written to the store at the end of each invocation", async () => {
    const s = await setup();
    await s.handler(
      functionUrlEvent({
        rawQueryString: `hostname=${HOST}&myip=${OTHER_V4}`,
        headers: { authorization: s.basic },
      }),
    );
    const keys = (await s.store.loadLimitBuckets(NOW)).map((b) => b.key);
    expect(keys.some((k) => k.startsWith(`host:${HOST}`) || k.includes(HOST))).toBe(true);
  });

  it("a store that fails at cold start answers its code only, and the next event tries again", async () => {
    const s = await setup();
    const broken = { ...s.store, loadLimitBuckets: () => Promise.reject(new Error("secret driver detail")) };
    const config = loadServerConfig({ env: {}, flags: {}, cwd: "/" });
    let tries = 0;
    const handler = createLambdaHandler({
      log: recordingLog(s.logs),
      load: () => {
        tries++;
        return composeLambda({
          config,
          store: broken,
          env: {},
          clock: () => NOW,
          timers: systemTimers,
          log: recordingLog([]),
          version: "t",
          ack: {
            acknowledgeUpdates: (u) => u,
            drainAll: () => Promise.resolve({ mirrors: 0, delivered: 0, pending: 0, failed: 0 }),
          },
        });
      },
    });
    const p = problemOf(await handler(functionUrlEvent({ rawPath: "/healthz" })));
    expect(p).toEqual({ status: 500, code: "internal", detail: "Internal error" });
    await handler(functionUrlEvent({ rawPath: "/healthz" }));
    expect(tries).toBe(2);
    expect(JSON.stringify(p)).not.toContain("secret driver detail");
  });
});

describe("Lambda handler: bad events answer 400 problem documents", () => {
  const valid = () => functionUrlEvent({ rawQueryString: "hostname=x" });
  const cases: [string, unknown, string][] = [
    ["null", null, "the event is not an object"],
    ["a string", "GET /nic/update", "the event is not an object"],
    ["an array", [], "the event is not an object"],
    ["no requestContext", { rawPath: "/nic/update", version: "2.0" }, "no requestContext"],
    ["requestContext a string", { ...valid(), requestContext: "x" }, "no requestContext"],
    [
      "v2 without sourceIp",
      { ...valid(), requestContext: { http: { method: "GET" } } },
      "sourceIp is missing",
    ],
    [
      "v2 sourceIp a number",
      { ...valid(), requestContext: { http: { method: "GET", sourceIp: 1 } } },
      "sourceIp",
    ],
    ["v1 without identity", { ...restEvent(), requestContext: { stage: "prod" } }, "identity.sourceIp"],
    ["an ALB event", { ...restEvent(), requestContext: { elb: { targetGroupArn: "arn" } } }, "load balancer"],
    ["rawPath a number", { ...valid(), rawPath: 5 }, "rawPath"],
    ["rawPath without /", { ...valid(), rawPath: "nic/update" }, "rawPath"],
    ["headers a list", { ...valid(), headers: ["a"] }, "headers"],
    ["a header value an object", { ...valid(), headers: { a: { b: 1 } } }, "headers"],
    ["cookies a string", { ...valid(), cookies: "a=b" }, "cookies"],
    ["a body that is an object", { ...valid(), body: { a: 1 } }, "body must be a string"],
    ["a body that is a number", { ...restEvent(), body: 12 }, "body must be a string"],
    ["isBase64Encoded a string", { ...valid(), isBase64Encoded: "yes" }, "isBase64Encoded"],
    [
      "base64 that is not base64",
      { ...valid(), body: "not base64!!", isBase64Encoded: true },
      "not valid base64",
    ],
    ["base64 with bad padding", { ...valid(), body: "abc==", isBase64Encoded: true }, "not valid base64"],
    ["multiValueHeaders of strings", { ...restEvent(), multiValueHeaders: { a: "b" } }, "multiValueHeaders"],
    [
      "a method with a space",
      { ...valid(), requestContext: { http: { method: "GE T", sourceIp: CLIENT_V4 } } },
      "not an HTTP method",
    ],
    ["method CONNECT", { ...restEvent(), httpMethod: "CONNECT" }, "CONNECT is not served"],
    ["method TRACE", { ...restEvent(), httpMethod: "trace" }, "trace is not served"],
    ["an event of another service", { Records: [{ eventSource: "aws:s3" }] }, "no requestContext"],
  ];
  it.each(cases)("%s", async (_name, event, detail) => {
    const s = await setup();
    const p = problemOf(await s.handler(event));
    expect(p.status).toBe(400);
    expect(p.code).toBe("bad_request");
    expect(String(p.detail)).toContain(detail);
  });

  it("an event hono cannot turn into a Request (GET with a body, a header with a newline) is a 400 problem", async () => {
    const s = await setup();
    for (const event of [
      functionUrlEvent({ body: "x" }),
      functionUrlEvent({ headers: { "x-a": "a\nb" } }),
      { ...restEvent(), requestContext: { ...restEvent().requestContext, domainName: "a b" } },
    ]) {
      const p = problemOf(await s.handler(event));
      expect(p).toMatchObject({ status: 400, code: "bad_request" });
      expect(String(p.detail)).toContain("cannot be turned into an HTTP request");
    }
  });
});
