// The AWS sample's protocol as its clients meet it: the literal bodies of its dyndns.sh, invocation.md
// and tests/curl.test, the GET form of its API Gateway clients, and the replies byte for byte.
// Hostile inputs: bad JSON, no/other Content-Type, an array, null, wrong-typed and missing fields, an
// unknown mode, an oversized body and hostname, a hash with a suffix or in the wrong form, a forged
// X-Forwarded-For, internalIp, HEAD, floods (client limit, host limit).

import { beforeEach, describe, expect, it } from "vitest";
import type { LimitRates } from "../../core/rate.js";
import { Hono } from "hono";
import { requireIp } from "../../core/ip.js";
import { silentLog } from "../../core/log.js";
import { BeaconError } from "../../core/errors.js";
import { createSampleCompat, sampleHash, type SampleCompat } from "../../services/sample-compat.js";
import type { AppDeps, AppEnv } from "../deps.js";
import { pythonString, registerAwsSampleRoutes } from "./aws-sample.js";
import { CLIENT_V4, CLIENT_V6, OTHER_V4, createFixture, type Fixture } from "../testing/fixture.js";

const SECRET = "SuP3R_5eCR3T";
const HOST = "www.example.com";
const hex = (ip: string, hostname = HOST, secret = SECRET) =>
  sampleHash(ip, hostname, secret).toString("hex");
const JSON_TYPE = { "content-type": "application/json" };

let f: Fixture;

async function withCredential(fqdn = HOST, secret = SECRET): Promise<void> {
  const host = (await f.store.getHost(fqdn)) ?? (await f.zones.addHost(fqdn));
  await f.store.putSampleCredential({ fqdn, secret, hostId: host.id, createdAt: 0, lastUsedAt: undefined });
}

beforeEach(async () => {
  f = await createFixture({ sampleCompat: true });
  await withCredential();
});

/** `curl -X POST -H 'content-type: application/json' -d BODY $url`, as dyndns.sh sends it. */
async function post(body: string, socket = CLIENT_V4, headers: Record<string, string> = JSON_TYPE) {
  const res = await f.request(
    "/",
    { method: "POST", headers: { "user-agent": "curl/8.5.0", ...headers }, body },
    socket,
  );
  return { status: res.status, body: await res.text(), headers: res.headers };
}

async function get(query: string, socket = CLIENT_V4, method = "GET") {
  const res = await f.request(`/?${query}`, { method, headers: { "user-agent": "curl/8.5.0" } }, socket);
  return { status: res.status, body: await res.text() };
}

const setBody = (hash: string, hostname = HOST) =>
  `{"execution_mode":"set", "ddns_hostname":"${hostname}", "validation_hash":"${hash}"}`;
const postReply = (status: string, message: string) =>
  `{"return_status": "${status}", "return_message": "${message}"}`;
const getReply = (status: string, message: string) =>
  `{"return_message": "${message}", "return_status": "${status}"}`;

describe("the sample's hash", () => {
  it("is invocation.md's example: echo -n 11.12.13.14www.example.comSuP3R_5eCR3T | shasum -a 256", () => {
    expect(hex("11.12.13.14")).toBe("0eb3fc760ddbd7dca1702ae359b8f990b8a145d719b9d1014da4aa866022dd70");
  });
});

describe("POST / (the Function URL form, dyndns.sh)", () => {
  it("get: the address, which dyndns.sh's egrep -o '[0-9\\.]+' extracts alone", async () => {
    const res = await post('{"execution_mode":"get"}');
    expect(res.status).toBe(200);
    expect(res.body).toBe(postReply("success", CLIENT_V4));
    expect(res.body.match(/[0-9.]+/g)).toEqual([CLIENT_V4]);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("set: 201 updated, then 200 unchanged; the record is written", async () => {
    expect(await post(setBody(hex(CLIENT_V4)))).toMatchObject({
      status: 201,
      body: postReply("success", `${HOST} has been updated to ${CLIENT_V4}`),
    });
    expect(await post(setBody(hex(CLIENT_V4)))).toMatchObject({
      status: 200,
      body: postReply("success", "Your IP address matches the current Route53 DNS record."),
    });
    expect(await f.rrsets(HOST)).toEqual([{ type: "A", ttl: 60, values: [CLIENT_V4] }]);
  });

  it("set with tests/curl.test's field order and an IPv6 source writes AAAA", async () => {
    const body = `{"execution_mode":"set", "validation_hash":"${hex(CLIENT_V6)}", "ddns_hostname":"${HOST}"}`;
    expect(await post(body, CLIENT_V6)).toMatchObject({
      status: 201,
      body: postReply("success", `${HOST} has been updated to ${CLIENT_V6}`),
    });
    expect((await f.rrsets(HOST)).map((s) => s.type)).toEqual(["AAAA"]);
  });

  it("answers a wrong secret, an unknown host and a host without a credential alike: 401", async () => {
    await f.zones.addHost("bare.example.com");
    const denied = { status: 401, body: postReply("fail", "Validation hashes do not match.") };
    expect(await post(setBody(hex(CLIENT_V4, HOST, "wrong")))).toMatchObject(denied);
    expect(await post(setBody(hex(CLIENT_V4, "nohost.example.com"), "nohost.example.com"))).toMatchObject(
      denied,
    );
    expect(await post(setBody(hex(CLIENT_V4, "bare.example.com"), "bare.example.com"))).toMatchObject(denied);
    expect(await f.rrsets(HOST)).toEqual([]);
  });

  it("ignores a forged X-Forwarded-For: the hash must cover the socket's address", async () => {
    const res = await f.request(
      "/",
      {
        method: "POST",
        headers: { ...JSON_TYPE, "x-forwarded-for": OTHER_V4 },
        body: setBody(hex(OTHER_V4)),
      },
      CLIENT_V4,
    );
    expect(res.status).toBe(401);
    expect(await f.rrsets(HOST)).toEqual([]);
  });

  it("refuses an address the policy refuses with the sample's fail shape, 400", async () => {
    const res = await post(setBody(hex("10.0.0.7")), "10.0.0.7");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ return_status: "fail" });
  });

  it.each([
    ["bad JSON", '{"execution_mode":"get"', JSON_TYPE],
    ["no Content-Type", '{"execution_mode":"get"}', {}],
    ["text/plain", '{"execution_mode":"get"}', { "content-type": "text/plain" }],
    [
      "not UTF-8",
      Buffer.from([0x7b, 0xff, 0x7d]).toString("latin1"),
      { "content-type": "application/json; charset=latin1" },
    ],
  ])("refuses a body it cannot read (%s) with 400 and the fail shape", async (_what, body, headers) => {
    const res = await post(body, CLIENT_V4, headers);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ return_status: "fail" });
  });

  it.each([
    ["an array", "[]"],
    ["null", "null"],
    ["a string", '"get"'],
    ["no execution_mode", '{"ddns_hostname":"www.example.com"}'],
    ["execution_mode 1", '{"execution_mode":1}'],
    ["execution_mode GET", '{"execution_mode":"GET"}'],
    ["execution_mode list_hosts", '{"execution_mode":"list_hosts"}'],
  ])("refuses %s: 400, the sample's mode message", async (_what, body) => {
    expect(await post(body)).toMatchObject({
      status: 400,
      body: postReply("fail", "You must pass mode=get or mode=set arguments."),
    });
  });

  it.each([
    ["no validation_hash", '{"execution_mode":"set","ddns_hostname":"www.example.com"}'],
    ["validation_hash 1", '{"execution_mode":"set","ddns_hostname":"www.example.com","validation_hash":1}'],
    ["a short hash", setBody("abc")],
    ["a non-hex hash", setBody("z".repeat(64))],
  ])("refuses %s: 400, the sample's hash message", async (_what, body) => {
    expect(await post(body)).toMatchObject({
      status: 400,
      body: postReply("fail", "You must pass a valid sha256 hash in the hash= argument."),
    });
  });

  it.each([
    ["no ddns_hostname", `{"execution_mode":"set","validation_hash":"${"a".repeat(64)}"}`],
    ["ddns_hostname 7", `{"execution_mode":"set","ddns_hostname":7,"validation_hash":"${"a".repeat(64)}"}`],
  ])("refuses %s: 400", async (_what, body) => {
    expect(await post(body)).toMatchObject({
      status: 400,
      body: postReply("fail", "You must pass a hostname in the ddns_hostname argument."),
    });
  });

  it("takes 64 hex digits and a suffix as the sample does (its regex is a prefix match): a mismatch, 401", async () => {
    expect((await post(setBody(`${hex(CLIENT_V4)}00`))).status).toBe(401);
  });

  it("ignores extra fields, as the sample did", async () => {
    const body = `{"execution_mode":"get","ddns_hostname":"x","extra":{"deep":[1,2]}}`;
    expect(await post(body)).toMatchObject({ status: 200, body: postReply("success", CLIENT_V4) });
  });

  it("refuses an oversized body (400) and takes a 10 000-character hostname as unknown (401)", async () => {
    expect((await post(`{"execution_mode":"get","pad":"${"x".repeat(70_000)}"}`)).status).toBe(400);
    expect((await post(setBody("a".repeat(64), "a".repeat(10_000)))).status).toBe(401);
  });

  it("writes strings as Python's json.dumps did: non-ASCII and controls as \\u escapes", () => {
    expect(pythonString('é ✓ 😀 "q" \\ \u0001\n')).toBe(
      '"\\u00e9 \\u2713 \\ud83d\\ude00 \\"q\\" \\\\ \\u0001\\n"',
    );
  });
});

describe("GET /?mode= (the API Gateway form)", () => {
  it("get: 200, return_message first (route53-ddns-client-lite.ps1 strips exactly that text)", async () => {
    const res = await get("mode=get");
    expect(res).toEqual({ status: 200, body: getReply("success", CLIENT_V4) });
    expect(res.body.replace('{"return_message": "', "").replace('", "return_status": "success"}', "")).toBe(
      CLIENT_V4,
    );
  });

  it("set with the old clients' trailing dot (hashed as sent), then unchanged; every reply 200", async () => {
    const hash = hex(CLIENT_V4, `${HOST}.`);
    expect(await get(`mode=set&hostname=${HOST}.&hash=${hash}`)).toEqual({
      status: 200,
      body: getReply("success", `Your hostname record ${HOST}. has been set to ${CLIENT_V4}`),
    });
    expect(await get(`mode=set&hostname=${HOST}.&hash=${hash}&internalIp=`)).toEqual({
      status: 200,
      body: getReply("success", "Your IP address matches the current Route53 DNS record."),
    });
    expect(await get(`mode=set&hostname=${HOST}&hash=${hex(CLIENT_V4, HOST, "no")}`)).toEqual({
      status: 200,
      body: getReply("fail", "Validation hashes do not match."),
    });
    expect(await get(`mode=nope`)).toEqual({
      status: 200,
      body: getReply("fail", "You must pass mode=get or mode=set arguments."),
    });
  });

  it("refuses internalIp (another address than the one seen) and changes nothing", async () => {
    const res = await get(`mode=set&hostname=${HOST}&hash=${hex(CLIENT_V4)}&internalIp=192.168.1.5`);
    expect(JSON.parse(res.body)).toMatchObject({ return_status: "fail" });
    expect(await f.rrsets(HOST)).toEqual([]);
  });

  it("never changes anything for HEAD, and leaves GET / without mode as it was (404)", async () => {
    expect((await get(`mode=set&hostname=${HOST}&hash=${hex(CLIENT_V4)}`, CLIENT_V4, "HEAD")).status).toBe(
      404,
    );
    expect(await f.rrsets(HOST)).toEqual([]);
    expect((await f.request("/")).status).toBe(404);
  });
});

describe("beside the console's GET /", () => {
  it("leaves a GET / without mode to the handler after it (the console's redirect) and takes ?mode=", async () => {
    const app = new Hono<AppEnv>();
    app.use("*", async (c, next) => {
      c.set("clientIp", requireIp(CLIENT_V4));
      await next();
    });
    const sample = createSampleCompat({ store: f.store, updates: f.updates, clock: () => 0, log: silentLog });
    registerAwsSampleRoutes(app, { log: silentLog } as AppDeps, sample);
    app.get("/", (c) => c.redirect("/admin/", 302));
    expect((await app.request("/", { headers: { accept: "text/html" } })).status).toBe(302);
    const res = await app.request("/?mode=get");
    expect(await res.text()).toBe(getReply("success", CLIENT_V4));
  });
});

describe("temporary failures", () => {
  const appWith = (set: SampleCompat["set"]) => {
    const app = new Hono<AppEnv>();
    app.use("*", async (c, next) => {
      c.set("clientIp", requireIp(CLIENT_V4));
      await next();
    });
    registerAwsSampleRoutes(app, { log: silentLog } as AppDeps, { set });
    return app;
  };
  const setQuery = `/?mode=set&hostname=${HOST}&hash=${"a".repeat(64)}`;

  it("answers dns_pending (saved, DNS not yet) 503 in both forms", async () => {
    const app = appWith(() =>
      Promise.resolve({ status: "failed", fqdn: HOST, code: "dns_pending", message: "not yet published" }),
    );
    const posted = await app.request("/", {
      method: "POST",
      headers: JSON_TYPE,
      body: setBody("a".repeat(64)),
    });
    expect(posted.status).toBe(503);
    expect(await posted.text()).toBe(postReply("fail", "not yet published"));
    expect((await app.request(setQuery)).status).toBe(503);
  });

  it("answers the store being away 503 + Retry-After in both forms", async () => {
    const app = appWith(() => Promise.reject(new BeaconError("store_unavailable")));
    const posted = await app.request("/", {
      method: "POST",
      headers: JSON_TYPE,
      body: setBody("a".repeat(64)),
    });
    expect(posted.status).toBe(503);
    expect(posted.headers.get("retry-after")).toBe("5");
    const got = await app.request(setQuery);
    expect(got.status).toBe(503);
    expect(JSON.parse(await got.text())).toMatchObject({ return_status: "fail" });
  });
});

describe("without compat.aws_sample", () => {
  it("has no such routes", async () => {
    f = await createFixture();
    expect((await post('{"execution_mode":"get"}')).status).toBe(404);
    expect((await get("mode=get")).status).toBe(404);
  });
});

describe("limits", () => {
  const MIN = 60_000;
  const RATES: LimitRates = {
    exempt: [],
    client: [{ limit: 3, periodMs: MIN }],
    clientIp: [{ limit: 2, periodMs: MIN }],
    clientHeartbeat: [{ limit: 2, periodMs: MIN }],
    credential: [{ limit: 100, periodMs: MIN }],
    hostDyndns2: [{ limit: 1, periodMs: MIN }],
    hostApi: [{ limit: 100, periodMs: MIN }],
    nochgFlag: [{ limit: 100, periodMs: MIN }],
  };

  it("limits get per network (client_ip) and set per network and per host (as dyndns2): 429 + Retry-After", async () => {
    f = await createFixture({ sampleCompat: true, limits: RATES });
    await withCredential();
    const gets = [];
    for (let i = 0; i < 3; i++) gets.push((await post('{"execution_mode":"get"}')).status);
    expect(gets).toEqual([200, 200, 429]);
    expect((await post(setBody(hex(CLIENT_V4)))).status).toBe(201);
    const again = await post(setBody(hex(CLIENT_V4)));
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(JSON.parse(again.body)).toMatchObject({ return_status: "fail" });
  });
});
