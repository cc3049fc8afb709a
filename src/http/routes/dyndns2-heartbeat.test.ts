// GET /nic/heartbeat: dyndns2 words over the fake health service. Hostile inputs: no or wrong
// credentials, a password in the URL, a name outside the token's scope, an unknown host, a name that
// is not a domain name, 21 names, bad %-encoding, no User-Agent, HEAD, a flood from one address.

import { beforeEach, describe, expect, it } from "vitest";
import { fakePools, type FakePools } from "../testing/pools.js";
import { UA, basic, createFixture, type Fixture } from "../testing/fixture.js";

let f: Fixture;
let pools: FakePools;
let token: string;

async function setUp(opts: Parameters<typeof createFixture>[0] = {}) {
  pools = fakePools();
  f = await createFixture({ pools: { pools: pools.admin, heartbeats: pools.heartbeats }, ...opts });
  token = await f.token(["home.example.com", "office.example.com"]);
}
beforeEach(() => setUp());

async function heartbeat(query: string, headers: Record<string, string> = basic("home.example.com", token)) {
  const res = await f.request(`/nic/heartbeat${query}`, { headers });
  return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
}

describe("GET /nic/heartbeat", () => {
  it("answers good per name and records each heartbeat", async () => {
    expect(await heartbeat("?hostname=home.example.com,Office.Example.com")).toEqual({
      status: 200,
      body: "good\ngood",
      type: "text/plain; charset=UTF-8",
    });
    expect(pools.calls).toEqual(["beat home.example.com", "beat office.example.com"]);
  });

  it("takes the Basic user as the hostname when none is given, and Bearer", async () => {
    expect((await heartbeat("")).body).toBe("good");
    const bearer = { authorization: `Bearer ${token}`, "user-agent": UA };
    expect((await heartbeat("?hostname=office.example.com", bearer)).body).toBe("good");
    expect(pools.calls).toEqual(["beat home.example.com", "beat office.example.com"]);
  });

  it.each([
    ["a name outside the scope", "?hostname=lab.example.com", "nohost"],
    ["an unknown name outside the scope", "?hostname=x.example.org", "nohost"],
    ["a name that is not a domain name", "?hostname=a%20b", "notfqdn"],
    ["bad %-encoding", "?hostname=home.example.com%ZZ", "notfqdn"],
    ["21 names", `?hostname=${Array.from({ length: 21 }, () => "home.example.com").join(",")}`, "numhost"],
  ])("answers %s with one word, recording nothing", async (_n, query, word) => {
    expect(await heartbeat(query)).toMatchObject({ status: 200, body: word });
    expect(pools.calls).toEqual([]);
  });

  it("answers nohost for an unknown host inside the scope, per line", async () => {
    const sub = await f.token(["example.com"], { subtree: true });
    const res = await heartbeat("?hostname=nothing.example.com,home.example.com", basic("x", sub));
    expect(res.body).toBe("nohost\ngood");
  });

  it.each([
    ["no credentials", "?hostname=home.example.com", { "user-agent": UA }],
    ["a wrong token", "?hostname=home.example.com", basic("home.example.com", "tk_aaaaaaaaaa.wrong")],
    ["a password in the URL", `?hostname=home.example.com&password=x`, undefined],
  ])("answers badauth (401) for %s", async (_n, query, headers) => {
    const res = await f.request(`/nic/heartbeat${query}`, {
      headers: headers ?? basic("home.example.com", token),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="beacon"');
    expect(await res.text()).toBe("badauth");
    expect(pools.calls).toEqual([]);
  });

  it("answers badagent without a User-Agent, 405 to HEAD", async () => {
    const authorization = basic("home.example.com", token).authorization ?? "";
    expect((await heartbeat("?hostname=home.example.com", { authorization })).body).toBe("badagent");
    const head = await f.request("/nic/heartbeat?hostname=home.example.com", {
      method: "HEAD",
      headers: basic("home.example.com", token),
    });
    expect(head.status).toBe(405);
    expect(pools.calls).toEqual([]);
  });

  it("answers 911 when the service fails", async () => {
    pools.heartbeats.beat = () => Promise.reject(new Error("boom"));
    expect(await heartbeat("?hostname=home.example.com")).toMatchObject({ status: 200, body: "911" });
  });

  it("answers a flood from one address with 911 (HTTP 503) + Retry-After", async () => {
    const rule = [{ limit: 1000, periodMs: 60_000 }];
    await setUp({
      limits: {
        exempt: [],
        client: [{ limit: 1, periodMs: 60_000 }],
        clientIp: rule,
        clientHeartbeat: [{ limit: 2, periodMs: 60_000 }],
        credential: rule,
        hostDyndns2: rule,
        hostApi: rule,
        nochgFlag: rule,
      },
    });
    expect((await heartbeat("?hostname=home.example.com")).body).toBe("good");
    expect((await heartbeat("?hostname=home.example.com")).body).toBe("good");
    const res = await f.request("/nic/heartbeat?hostname=home.example.com", {
      headers: basic("home.example.com", token),
    });
    expect([res.status, await res.text()]).toEqual([503, "911"]);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(pools.calls).toHaveLength(2);
  });

  it("does not exist without heartbeats (404)", async () => {
    f = await createFixture();
    expect((await heartbeat("?hostname=home.example.com")).status).toBe(404);
  });
});
