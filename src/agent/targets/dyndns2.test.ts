import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFixture } from "../../http/testing/fixture.js";
import { DYNDNS2_MIN_WAIT_MS } from "../../providers/dyndns2/reply.js";
import { dyndns2Target, type Dyndns2TargetSettings } from "./dyndns2.js";
import { fakeDeps } from "./testing/contract.js";
import { createHttpRequest } from "../../net/http-request.js";
import { refusedUrl, serveFetch, serveNode, type TestServer } from "./testing/serve.js";
import type { PublishRequest, Target } from "./types.js";

/** The real HttpRequest (node:http), as the agent uses it. */
const http = createHttpRequest();

const V4 = "81.2.69.142";
const V6 = "2a02:8070:a1b2::1";
const PASSWORD = "p@ss:w/rd é&x=1";

interface Seen {
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
}

// The fake service answers each request with the next queued reply (default 200 "good <myip>").
let server: TestServer;
let seen: Seen[] = [];
let replies: { status?: number; body: string; headers?: Record<string, string> }[] = [];

beforeAll(async () => {
  server = await serveNode((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    const next = replies.shift() ?? { body: "good 81.2.69.142" };
    res.writeHead(next.status ?? 200, { "content-type": "text/plain", ...next.headers });
    res.end(next.body);
  });
});
afterAll(() => server.close());
beforeEach(() => {
  seen = [];
  replies = [];
});

function target(over: Partial<Dyndns2TargetSettings> = {}, url = `${server.url}/nic/update`): Target {
  const settings = dyndns2Target.settings.parse({ url, username: "alice", password: PASSWORD, ...over });
  return dyndns2Target.create("t1", settings, fakeDeps(http));
}

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

const FATAL = ["badauth", "!donator", "notfqdn", "nohost", "numhost", "abuse", "badagent", "badsys"];
const FATAL_LEGACY = ["!yours", "!active"];

describe("dyndns2 target: each reply code", () => {
  it.each([
    ["good <ip>", 200, `good ${V4}`, { status: "updated" }],
    ["good with no ip", 200, "good", { status: "updated" }],
    ["nochg <ip>", 200, `nochg ${V4}`, { status: "noop" }],
    ["good 127.0.0.1 (Dyn's rejected agent)", 200, "good 127.0.0.1", { status: "fatal", code: "badagent" }],
    ["good 127.0.0.1,v6", 200, `good 127.0.0.1,${V6}`, { status: "fatal", code: "badagent" }],
    ...[...FATAL, ...FATAL_LEGACY].map(
      (code) => [code, 200, code, { status: "fatal", code }] as [string, number, string, object],
    ),
    ["nohost with HTTP 400", 400, "nohost", { status: "fatal", code: "nohost" }],
    ["401 with badauth body", 401, "badauth", { status: "fatal", code: "badauth" }],
    ["401 with an empty body", 401, "", { status: "fatal", code: "badauth" }],
    ["401 with an HTML body", 401, "<html>Unauthorized</html>", { status: "fatal", code: "badauth" }],
    ["several lines: the first counts", 200, `good ${V4}\nnohost\n`, { status: "updated" }],
    ["blank lines before the code, CRLF", 200, `\r\n\r\nnochg ${V4}\r\n`, { status: "noop" }],
    [
      "HTML error page with 200",
      200,
      "<!DOCTYPE html>\n<h1>Oops</h1>",
      { status: "retry", code: "bad_reply" },
    ],
    ["empty 200", 200, "", { status: "retry", code: "empty_reply" }],
    ["whitespace-only 200", 200, " \n\t\n", { status: "retry", code: "empty_reply" }],
    ["an unknown word", 200, "ok", { status: "retry", code: "bad_reply" }],
    ["a code with a suffix glued on", 200, "goodbye", { status: "retry", code: "bad_reply" }],
    ["500 Internal Server Error", 500, "Internal Server Error", { status: "retry", code: "http_500" }],
    ["502 with a good body", 502, `good ${V4}`, { status: "retry", code: "http_502" }],
    ["302 redirect", 302, "", { status: "retry", code: "http_302" }],
  ])("%s → %o", async (_name, status, body, expected) => {
    replies.push({
      status,
      body,
      ...(status === 302 ? { headers: { location: "https://x.invalid/" } } : {}),
    });
    const r = await target().publish(req());
    expect(r).toMatchObject(expected);
    expect(r.detail.length).toBeGreaterThan(0);
  });

  it.each([
    ["911", 200, "911"],
    ["911 with HTTP 503", 503, "911"],
    ["dnserr", 200, "dnserr"],
    ["dnserr with Dyn's packet id", 200, "dnserr 0x1f2e"],
  ])("%s → backoff of at least 30 minutes", async (_name, status, body) => {
    replies.push({ status, body });
    const r = await target().publish(req());
    expect(r).toMatchObject({ status: "backoff", code: body.split(" ")[0] });
    if (r.status === "backoff") expect(r.retryAfterMs).toBeGreaterThanOrEqual(DYNDNS2_MIN_WAIT_MS);
  });

  it("911 with a longer Retry-After waits that long; a shorter one still waits 30 minutes", async () => {
    replies.push({ body: "911", headers: { "retry-after": "7200" } });
    expect(await target().publish(req())).toMatchObject({ status: "backoff", retryAfterMs: 7_200_000 });
    replies.push({ body: "911", headers: { "retry-after": "5" } });
    expect(await target().publish(req())).toMatchObject({ retryAfterMs: DYNDNS2_MIN_WAIT_MS });
  });

  it("a fatal detail tells the user what to do, not just 'unable to update'", async () => {
    replies.push({ body: "nohost" });
    const r = await target().publish(req());
    expect(r.detail).toMatch(/hostname does not exist/);
    expect(r.detail).toContain('"nohost"');
  });

  it("good 127.0.0.1 is success when we did send 127.0.0.1", async () => {
    // Only reachable through a hand-built request: the loop never publishes a loopback address.
    replies.push({ body: "good 127.0.0.1" });
    expect(await target().publish(req({ values: ["127.0.0.1"] }))).toMatchObject({ status: "updated" });
  });
});

describe("dyndns2 target: the request", () => {
  it("sends GET with Basic auth, our User-Agent, hostname and myip; the password is not in the URL", async () => {
    await target().publish(req());
    expect(seen).toHaveLength(1);
    const s = seen[0];
    const url = new URL(s?.url ?? "", server.url);
    expect(url.pathname).toBe("/nic/update");
    expect(url.searchParams.get("hostname")).toBe("home.example.com");
    expect(url.searchParams.get("myip")).toBe(V4);
    expect(url.searchParams.has("myipv6")).toBe(false);
    const auth = s?.headers.authorization ?? "";
    expect(auth.startsWith("Basic ")).toBe(true);
    expect(Buffer.from(auth.slice(6), "base64").toString("utf8")).toBe(`alice:${PASSWORD}`);
    expect(s?.headers["user-agent"]).toBe("Beacon-Agent/0.0.0-test (contract)");
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD), "p@ss", "w/rd"])
      expect(s?.url).not.toContain(form);
  });

  it("AAAA goes in myip by default, in myipv6 when send_ipv6_as is myipv6", async () => {
    await target().publish(req({ type: "AAAA", values: [V6] }));
    await target({ send_ipv6_as: "myipv6" }).publish(req({ type: "AAAA", values: [V6] }));
    await target({ send_ipv6_as: "myipv6" }).publish(req());
    const q = seen.map((s) => new URL(s.url, server.url).searchParams);
    expect([q[0]?.get("myip"), q[0]?.get("myipv6")]).toEqual([V6, null]);
    expect([q[1]?.get("myip"), q[1]?.get("myipv6")]).toEqual([null, V6]);
    // An A record still goes in myip with send_ipv6_as: myipv6.
    expect([q[2]?.get("myip"), q[2]?.get("myipv6")]).toEqual([V4, null]);
  });

  it("uses the hostname setting over the record's fqdn, keeps extra query parameters, replaces ours", async () => {
    const url = `${server.url}/nic/update?system=dyndns&hostname=stale.example&myip=1.1.1.1`;
    await target({ hostname: "myhost.ddns.net" }, url).publish(req());
    const q = new URL(seen[0]?.url ?? "", server.url).searchParams;
    expect(q.getAll("hostname")).toEqual(["myhost.ddns.net"]);
    expect(q.getAll("myip")).toEqual([V4]);
    expect(q.get("system")).toBe("dyndns");
  });

  it("joins several values with a literal comma, as ddclient sends v4,v6 lists", async () => {
    await target().publish(req({ values: [V4, "81.2.69.160"] }));
    expect(seen[0]?.url).toContain(`myip=${V4},81.2.69.160`);
  });

  it("connection refused → retry network", async () => {
    const t = target({}, `${await refusedUrl()}/nic/update`);
    expect(await t.publish(req())).toMatchObject({ status: "retry", code: "network" });
  });
});

describe("dyndns2 target: settings", () => {
  const base = { url: "https://dynupdate.example/nic/update", username: "u", password: "p" };
  it("defaults send_ipv6_as to myip and keeps the URL", () => {
    expect(dyndns2Target.settings.parse(base)).toEqual({ ...base, send_ipv6_as: "myip" });
  });
  it.each([
    ["credentials in the URL", { url: "https://u:p@dynupdate.example/nic/update" }, /credentials/],
    ["an ftp URL", { url: "ftp://dynupdate.example/" }, /http/],
    ["not a URL", { url: "dynupdate.example/nic/update" }, /not a URL/],
    ["a ':' in the username", { username: "a:b" }, /':'/],
    ["an empty password", { password: "" }, /empty/],
    ["two hostnames", { hostname: "a.example,b.example" }, /exactly one hostname/],
    ["send_ipv6_as: ipv6", { send_ipv6_as: "ipv6" }, /myip or myipv6/],
    ["an unknown key", { passwd: "x" }, /passwd/],
  ])("rejects %s", (_name, over, message) => {
    const r = dyndns2Target.settings.safeParse({ ...base, ...over });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});

describe("dyndns2 target against Beacon's own /nic/update", () => {
  it("good, then nochg for the same address; a wrong password is fatal badauth", async () => {
    const f = await createFixture();
    const token = await f.token(["home.example.com"]);
    const beacon = await serveFetch(f.app.fetch);
    try {
      const url = `${beacon.url}/nic/update`;
      const make = (password: string) =>
        dyndns2Target.create(
          "beacon",
          dyndns2Target.settings.parse({ url, username: "home.example.com", password }),
          fakeDeps(http),
        );
      expect(await make(token).publish(req())).toMatchObject({ status: "updated" });
      expect(await make(token).publish(req())).toMatchObject({ status: "noop" });
      expect(await f.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 60, values: [V4] }]);
      expect(await make(`${token}x`).publish(req())).toMatchObject({ status: "fatal", code: "badauth" });
    } finally {
      await beacon.close();
    }
  });
});
