import type { IncomingMessage } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFixture, type Fixture } from "../../http/testing/fixture.js";
import { createTokenSigning } from "../../services/token-signing.js";
import { beaconTarget } from "./beacon.js";
import { fakeDeps } from "./testing/contract.js";
import { createHttpRequest } from "../../net/http-request.js";
import { readBody, refusedUrl, serveFetch, serveNode, type TestServer } from "./testing/serve.js";
import type { PublishRequest, Target } from "./types.js";

/** The real HttpRequest (node:http), as the agent uses it. */
const http = createHttpRequest();

const V4 = "81.2.69.142";
const V6 = "2a02:8070:a1b2::1";

function req(over: Partial<PublishRequest> = {}): PublishRequest {
  return {
    fqdn: "home.example.com",
    type: "A",
    values: [V4],
    ttl: undefined,
    localAddress: undefined,
    signal: AbortSignal.timeout(10_000),
    ...over,
  };
}

/** One heartbeat for home.example.com. */
function beat(url: string) {
  const t = target(url, "tk_a.b");
  if (t.heartbeat === undefined) throw new Error("the beacon target takes heartbeats");
  return t.heartbeat({
    fqdn: "home.example.com",
    localAddress: undefined,
    signal: AbortSignal.timeout(10_000),
  });
}

function target(url: string, token: string): Target {
  return beaconTarget.create("home", beaconTarget.settings.parse({ url, token }), fakeDeps(http));
}

describe("beacon target against the real Beacon HTTP app", () => {
  let f: Fixture;
  let server: TestServer;
  let token: string;

  beforeEach(async () => {
    f = await createFixture();
    token = await f.token(["home.example.com"]);
    server = await serveFetch(f.app.fetch);
  });
  afterEach(() => server.close());

  it("updated, then noop for the same value; the TTL is sent", async () => {
    const t = target(server.url, token);
    expect(await t.publish(req({ ttl: 300 }))).toMatchObject({ status: "updated" });
    expect(await t.publish(req({ ttl: 300 }))).toMatchObject({ status: "noop" });
    expect(await f.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 300, values: [V4] }]);
  });

  it("publishes AAAA and keeps the A set", async () => {
    const t = target(`${server.url}/`, token);
    expect(await t.publish(req())).toMatchObject({ status: "updated" });
    expect(await t.publish(req({ type: "AAAA", values: [V6] }))).toMatchObject({ status: "updated" });
    expect((await f.rrsets("home.example.com")).map((s) => s.type).sort()).toEqual(["A", "AAAA"]);
  });

  it("a wrong token is fatal unauthorized, and nothing is stored", async () => {
    const r = await target(server.url, `${token}x`).publish(req());
    expect(r).toMatchObject({ status: "fatal", code: "unauthorized" });
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("a host outside the token's scope is fatal forbidden", async () => {
    const r = await target(server.url, token).publish(req({ fqdn: "office.example.com" }));
    expect(r).toMatchObject({ status: "fatal", code: "forbidden" });
    expect(await f.rrsets("office.example.com")).toEqual([]);
  });

  it("a host that does not exist is fatal host_not_found", async () => {
    const wide = await f.token(["example.com"], { subtree: true });
    const r = await target(server.url, wide).publish(req({ fqdn: "nohost.example.com" }));
    expect(r).toMatchObject({ status: "fatal", code: "host_not_found" });
  });

  it.each([
    ["private 10.0.0.1", "10.0.0.1"],
    ["CGNAT 100.64.0.1", "100.64.0.1"],
    ["documentation 192.0.2.1", "192.0.2.1"],
  ])("a non-global address (%s) is fatal ip_not_global", async (_name, ip) => {
    const r = await target(server.url, token).publish(req({ values: [ip] }));
    expect(r).toMatchObject({ status: "fatal", code: "ip_not_global" });
    expect(r.detail).toContain("ip_not_global");
  });

  it("a bad TTL is fatal invalid_ttl", async () => {
    const r = await target(server.url, token).publish(req({ ttl: 0 }));
    expect(r).toMatchObject({ status: "fatal", code: "invalid_ttl" });
  });

  it("current(): [] before anything is published, the values after, undefined when unreadable", async () => {
    const t = target(server.url, token);
    const signal = AbortSignal.timeout(10_000);
    expect(await t.current?.("home.example.com", "A", signal)).toEqual([]);
    await t.publish(req({ values: [V4, "81.2.69.160"] }));
    expect(await t.current?.("home.example.com", "A", signal)).toEqual(["81.2.69.142", "81.2.69.160"]);
    expect(await t.current?.("home.example.com", "AAAA", signal)).toEqual([]);
    expect(
      await target(server.url, "tk_nope.secret").current?.("home.example.com", "A", signal),
    ).toBeUndefined();
    expect(await t.current?.("office.example.com", "A", signal)).toBeUndefined();
  });
});

describe("beacon target: the request and the reply mapping (fake server)", () => {
  let server: TestServer;
  let seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  let replies: { status: number; body: string; headers?: Record<string, string> }[] = [];

  beforeAll(async () => {
    server = await serveNode(async (r, res) => {
      seen.push({ method: r.method ?? "", url: r.url ?? "", headers: r.headers, body: await readBody(r) });
      const next = replies.shift() ?? { status: 200, body: '{"status":"good"}' };
      res.writeHead(next.status, { "content-type": "application/json", ...next.headers });
      res.end(next.body);
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    seen = [];
    replies = [];
  });

  it("PUTs JSON {values, ttl} to /api/v1/hosts/{fqdn}/records/{type} with the bearer token", async () => {
    await target(`${server.url}/beacon/`, "tk_a.b").publish(req({ type: "AAAA", values: [V6], ttl: 120 }));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: "PUT",
      url: "/beacon/api/v1/hosts/home.example.com/records/AAAA",
    });
    expect(seen[0]?.headers.authorization).toBe("Bearer tk_a.b");
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ values: [V6], ttl: 120 });
  });

  it("leaves ttl out of the body when the record has none", async () => {
    await target(server.url, "tk_a.b").publish(req());
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ values: [V4] });
  });

  const problem = (code: string, status: number) =>
    JSON.stringify({ type: `https://beacon.invalid/errors/${code}`, title: "t", status, detail: "d", code });

  it.each([
    [
      "503 store_unavailable",
      { status: 503, body: problem("store_unavailable", 503) },
      { status: "retry", code: "store_unavailable" },
    ],
    [
      "503 with Retry-After: 120",
      { status: 503, body: problem("store_unavailable", 503), headers: { "retry-after": "120" } },
      { status: "backoff", code: "store_unavailable", retryAfterMs: 120_000 },
    ],
    ["500 internal", { status: 500, body: problem("internal", 500) }, { status: "retry", code: "internal" }],
    ["429 without a body", { status: 429, body: "" }, { status: "retry", code: "rate_limited" }],
    [
      "429 with an HTTP-date Retry-After 60 s ahead",
      { status: 429, body: "", headers: { "retry-after": new Date(1_700_000_060_000).toUTCString() } },
      { status: "backoff", code: "rate_limited", retryAfterMs: 60_000 },
    ],
    [
      "502 HTML from a proxy",
      { status: 502, body: "<html>Bad Gateway</html>" },
      { status: "retry", code: "http_502" },
    ],
    [
      "200 with an unknown status",
      { status: 200, body: '{"status":"maybe"}' },
      { status: "retry", code: "bad_reply" },
    ],
    [
      "200 with HTML",
      { status: 200, body: "<html>captive portal</html>" },
      { status: "retry", code: "bad_reply" },
    ],
    ["401 without a problem body", { status: 401, body: "" }, { status: "fatal", code: "unauthorized" }],
    [
      "403 forbidden problem",
      { status: 403, body: problem("forbidden", 403) },
      { status: "fatal", code: "forbidden" },
    ],
    [
      "400 invalid_ip problem",
      { status: 400, body: problem("invalid_ip", 400) },
      { status: "fatal", code: "invalid_ip" },
    ],
    [
      "404 HTML (URL points at something else)",
      { status: 404, body: "<h1>Not Found</h1>" },
      { status: "fatal", code: "http_404" },
    ],
    [
      "400 with a hostile code field",
      { status: 400, body: '{"code":"<script>"}' },
      { status: "fatal", code: "http_400" },
    ],
    [
      "301 redirect",
      { status: 301, body: "", headers: { location: "https://elsewhere.invalid/" } },
      { status: "retry", code: "http_301" },
    ],
  ])("%s → %o", async (_name, reply, expected) => {
    replies.push(reply);
    expect(await target(server.url, "tk_a.b").publish(req())).toMatchObject(expected);
  });

  it("heartbeat: POSTs JSON {hostname} to /api/v1/heartbeat with the bearer token; the pools come back", async () => {
    replies.push({
      status: 200,
      body: JSON.stringify({ hostname: "home.example.com", pools: ["www", "mail"] }),
    });
    const r = await beat(`${server.url}/beacon`);
    expect(r).toEqual({
      status: "ok",
      pools: ["www", "mail"],
      detail: "heartbeat home.example.com: accepted",
    });
    expect(seen[0]).toMatchObject({ method: "POST", url: "/beacon/api/v1/heartbeat" });
    expect(seen[0]?.headers.authorization).toBe("Bearer tk_a.b");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ hostname: "home.example.com" });
  });

  it.each([
    [
      "401 problem",
      { status: 401, body: problem("unauthorized", 401) },
      { status: "fatal", code: "unauthorized" },
    ],
    ["403 problem", { status: 403, body: problem("forbidden", 403) }, { status: "fatal", code: "forbidden" }],
    [
      "404 problem (no pools)",
      { status: 404, body: problem("not_found", 404) },
      { status: "fatal", code: "not_found" },
    ],
    [
      "429 with Retry-After: 30",
      { status: 429, body: problem("rate_limited", 429), headers: { "retry-after": "30" } },
      { status: "backoff", code: "rate_limited", retryAfterMs: 30_000 },
    ],
    [
      "503 with Retry-After: 5",
      { status: 503, body: problem("store_unavailable", 503), headers: { "retry-after": "5" } },
      { status: "backoff", code: "store_unavailable", retryAfterMs: 5_000 },
    ],
    ["200 HTML", { status: 200, body: "<html>portal</html>" }, { status: "retry", code: "bad_reply" }],
    [
      "200 pools not a list",
      { status: 200, body: '{"pools":"www"}' },
      { status: "retry", code: "bad_reply" },
    ],
    [
      "200 pools with a number",
      { status: 200, body: '{"pools":["www",7]}' },
      { status: "retry", code: "bad_reply" },
    ],
  ])("heartbeat: %s → %o", async (_name, reply, expected) => {
    replies.push(reply);
    const r = await beat(server.url);
    expect(r).toMatchObject(expected);
  });

  it("heartbeat: a huge pool list is cut to a bounded length", async () => {
    const pools = Array.from({ length: 1_000 }, (_, i) => `p${i}`);
    replies.push({ status: 200, body: JSON.stringify({ pools }) });
    const r = await beat(server.url);
    expect(r.status === "ok" ? r.pools.length : undefined).toBe(100);
  });

  it("connection refused → retry network", async () => {
    expect(await target(await refusedUrl(), "tk_a.b").publish(req())).toMatchObject({
      status: "retry",
      code: "network",
    });
  });
});

describe("beacon target: settings", () => {
  it.each([
    ["credentials in the URL", { url: "https://u:p@beacon.example/", token: "t" }, /credentials/],
    ["a query string", { url: "https://beacon.example/?x=1", token: "t" }, /query/],
    ["an empty token", { url: "https://beacon.example/", token: "" }, /empty/],
    ["no token", { url: "https://beacon.example/" }, /token/],
    ["an unknown key", { url: "https://beacon.example/", token: "t", secret: "x" }, /secret/],
  ])("rejects %s", (_name, input, message) => {
    const r = beaconTarget.settings.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});

describe("beacon target signing its requests (signing_key)", () => {
  let f: Fixture;
  let server: TestServer;
  let token: string;
  let id: string;

  beforeEach(async () => {
    f = await createFixture({ signatures: true });
    token = await f.token(["home.example.com"]);
    id = token.split(".")[0] ?? "";
    server = await serveFetch(f.app.fetch);
  });
  afterEach(() => server.close());

  const signingTarget = (signingKey: string, tokenSetting = id) =>
    beaconTarget.create(
      "home",
      beaconTarget.settings.parse({ url: server.url, token: tokenSetting, signing_key: signingKey }),
      fakeDeps(http),
    );

  it.each(["ed25519", "hmac-sha256"] as const)(
    "publishes and reads back with %s signatures to a token that requires them",
    async (alg) => {
      const signing = createTokenSigning(f.store);
      const { secret } = await signing.setKey(id, {
        generate: alg === "ed25519" ? "ed25519" : "hmac-sha256",
      });
      await signing.setRequired(id, true);
      const t = signingTarget(secret ?? "");
      expect(await t.publish(req())).toMatchObject({ status: "updated" });
      expect(await t.current?.("home.example.com", "A", AbortSignal.timeout(10_000))).toEqual([V4]);
      expect(await t.publish(req())).toMatchObject({ status: "noop" });
      // The bearer token no longer works for this token.
      expect(await target(server.url, token).publish(req({ values: [V6], type: "AAAA" }))).toMatchObject({
        status: "fatal",
        code: "signature_required",
      });
    },
  );

  it("a key the server does not know for the token is fatal signature_invalid", async () => {
    await createTokenSigning(f.store).setKey(id, { generate: "hmac-sha256" });
    const other = Buffer.alloc(32, 1).toString("base64");
    expect(await signingTarget(other, token).publish(req())).toMatchObject({
      status: "fatal",
      code: "signature_invalid",
    });
  });

  it.each([
    ["an RSA key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"],
    ["a short secret", "c2hvcnQ="],
    ["not base64", "not a key!"],
  ])("refuses %s as signing_key in the settings", (_, key) => {
    expect(
      beaconTarget.settings.safeParse({ url: "http://127.0.0.1:1", token: "tk_aaaaaaaaaa", signing_key: key })
        .success,
    ).toBe(false);
  });

  it("refuses a token setting without a token id when signing", () => {
    const key = Buffer.alloc(32, 1).toString("base64");
    expect(
      beaconTarget.settings.safeParse({ url: "http://127.0.0.1:1", token: "secret", signing_key: key })
        .success,
    ).toBe(false);
  });
});
