// POST /api/v1/heartbeat and GET /api/v1/pools/:name/health over the fake health service. Hostile
// inputs: tokens for other names, for an earlier host of the name, none; bodies that are not JSON, an
// array, 2 MB, with extra fields, with the name both in the query and the body; names too long, with
// spaces or non-ASCII; a flood of heartbeats from one address.

import { beforeEach, describe, expect, it } from "vitest";
import type { LimitRates } from "../../../core/rate.js";
import { fakePools, POOL_TIME, type FakePools } from "../../testing/pools.js";
import { UA, createFixture, type Fixture } from "../../testing/fixture.js";

const POOL = "www.example.com";
let f: Fixture;
let pools: FakePools;
let token: string;

async function setUp(limits?: LimitRates) {
  pools = fakePools();
  f = await createFixture({
    pools: { pools: pools.admin, heartbeats: pools.heartbeats },
    ...(limits === undefined ? {} : { limits }),
  });
  token = await f.token(["home.example.com"]);
  await pools.admin.put({
    name: POOL,
    members: [
      { id: "home", host: "home.example.com" },
      { id: "office", host: "office.example.com" },
    ],
  });
  pools.calls.length = 0;
}
beforeEach(() => setUp());

function call(
  path: string,
  init: { method?: string; body?: unknown; raw?: string; auth?: string | null; type?: string | null } = {},
) {
  const headers: Record<string, string> = { "user-agent": UA };
  if (init.auth !== null) headers.authorization = `Bearer ${init.auth ?? token}`;
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined && init.type !== null) headers["content-type"] = init.type ?? "application/json";
  return f.request(`/api/v1${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(body === undefined ? {} : { body }),
  });
}
const beat = (init: Parameters<typeof call>[1] = {}, query = "") =>
  call(`/heartbeat${query}`, { method: "POST", ...init });

async function problem(res: Response): Promise<[number, unknown]> {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return [res.status, ((await res.json()) as { code: unknown }).code];
}

describe("POST /api/v1/heartbeat", () => {
  it("records the heartbeat and answers the pools that follow the host", async () => {
    const res = await beat({ body: { hostname: "Home.Example.COM." } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hostname: "home.example.com", pools: [POOL] });
    expect(pools.calls).toEqual(["beat home.example.com"]);
  });

  it("takes ?hostname= with an empty body (curl -X POST)", async () => {
    const res = await beat({}, "?hostname=home.example.com");
    expect(await res.json()).toEqual({ hostname: "home.example.com", pools: [POOL] });
  });

  it("answers an empty list for a host no pool follows (still recorded)", async () => {
    const lab = await f.token(["lab.example.com"], { types: ["TXT"] });
    const res = await beat({ body: { hostname: "lab.example.com" }, auth: lab });
    expect(await res.json()).toEqual({ hostname: "lab.example.com", pools: [] });
    expect(pools.calls).toEqual(["beat lab.example.com"]);
  });

  it.each([
    ["no token", { body: { hostname: "home.example.com" }, auth: null }, "", 401, "unauthorized"],
    [
      "a wrong token",
      { body: { hostname: "home.example.com" }, auth: "tk_aaaaaaaaaa.no" },
      "",
      401,
      "unauthorized",
    ],
    ["a name outside the token's scope", { body: { hostname: "office.example.com" } }, "", 403, "forbidden"],
    ["an unknown name outside the scope", { body: { hostname: "x.example.org" } }, "", 403, "forbidden"],
    [
      "the name in the query and the body",
      { body: { hostname: "home.example.com" } },
      "?hostname=home.example.com",
      400,
      "bad_request",
    ],
    ["neither query nor body", {}, "", 415, "unsupported_media_type"],
    ["a body that is not JSON", { raw: "hostname=home.example.com" }, "", 400, "bad_request"],
    ["a JSON array", { body: ["home.example.com"] }, "", 400, "bad_request"],
    ["an extra field", { body: { hostname: "home.example.com", ip: "81.2.69.160" } }, "", 400, "bad_request"],
    ["a 10k-char name", { body: { hostname: "a".repeat(10_000) } }, "", 400, "bad_request"],
    ["a 2 MB body", { body: { hostname: "x".repeat(2 * 1024 * 1024) } }, "", 413, "parameter_too_large"],
    [
      "a text/plain body",
      { raw: '{"hostname":"home.example.com"}', type: "text/plain" },
      "",
      415,
      "unsupported_media_type",
    ],
    ["a name with a space", {}, "?hostname=home%20example.com", 400, "invalid_hostname"],
    ["a non-ASCII name", {}, `?hostname=${encodeURIComponent("hömé.example.com")}`, 400, "invalid_hostname"],
    ["a 300-char query name", {}, `?hostname=${"a".repeat(300)}`, 400, "invalid_hostname"],
  ])("refuses %s, recording nothing", async (_n, init, query, status, code) => {
    expect(await problem(await beat(init as Parameters<typeof call>[1], query))).toEqual([status, code]);
    expect(pools.calls).toEqual([]);
  });

  it("404 host_not_found for an unknown name inside the scope", async () => {
    const sub = await f.token(["example.com"], { subtree: true });
    const res = await beat({ body: { hostname: "nothing.example.com" }, auth: sub });
    expect(await problem(res)).toEqual([404, "host_not_found"]);
  });

  it("403 for a token made for another host of the name (an earlier one)", async () => {
    const host = await f.store.getHost("home.example.com");
    const { token: bound } = await f.tokens.create({
      label: "bound",
      names: [{ name: "home.example.com", subtree: false }],
      types: ["A"],
      hostId: (host?.id ?? 0) + 1000,
    });
    const res = await beat({ body: { hostname: "home.example.com" }, auth: bound });
    expect(await problem(res)).toEqual([403, "forbidden"]);
    expect(pools.calls).toEqual([]);
  });

  it("counts against its own per-client limit, not the updates' (429 + Retry-After); reads do not", async () => {
    const MIN = 60_000;
    const rule = [{ limit: 1000, periodMs: MIN }];
    await setUp({
      exempt: [],
      client: [{ limit: 1, periodMs: MIN }],
      clientIp: rule,
      clientHeartbeat: [{ limit: 3, periodMs: MIN }],
      credential: rule,
      hostDyndns2: rule,
      hostApi: rule,
      nochgFlag: rule,
    });
    for (let i = 0; i < 5; i++) expect((await call(`/pools/${POOL}/health`)).status).toBe(403);
    for (let i = 0; i < 3; i++)
      expect((await beat({ body: { hostname: "home.example.com" } })).status).toBe(200);
    const res = await beat({ body: { hostname: "home.example.com" } });
    expect(await problem(res)).toEqual([429, "rate_limited"]);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(pools.calls).toHaveLength(3);
  });
});

describe("GET /api/v1/pools/:name/health", () => {
  it("shows id, status, since and rttMs of each member and what is published", async () => {
    const view = pools.views.get(POOL);
    if (view === undefined) throw new Error("no pool");
    pools.views.set(POOL, {
      ...view,
      published: { values: ["81.2.69.160"], ttl: 30 },
      members: view.members.map((m, i) =>
        i === 0
          ? {
              ...m,
              status: "up",
              addresses: ["81.2.69.160"],
              local: { pool: POOL, member: m.id, status: "up", streak: 0, rttMs: 12.5, since: POOL_TIME },
            }
          : m,
      ),
    });
    const reader = await f.token([POOL], { types: ["TXT"] });
    const res = await call(`/pools/WWW.example.com./health`, { auth: reader });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      pool: POOL,
      members: [
        { id: "home", status: "up", since: new Date(POOL_TIME).toISOString(), rttMs: 12.5 },
        { id: "office", status: "unknown", since: null, rttMs: null },
      ],
      published: { values: ["81.2.69.160"], ttl: 30 },
      allDown: false,
    });
  });

  it("403 for a token not covering the pool (also an unknown one), 404 inside the scope, 400 a bad name, 401 none", async () => {
    expect(await problem(await call(`/pools/${POOL}/health`))).toEqual([403, "forbidden"]);
    expect(await problem(await call(`/pools/none.example.org/health`))).toEqual([403, "forbidden"]);
    const sub = await f.token(["example.com"], { subtree: true });
    expect(await problem(await call(`/pools/none.example.com/health`, { auth: sub }))).toEqual([
      404,
      "pool_not_found",
    ]);
    expect(await problem(await call(`/pools/${"a".repeat(300)}/health`, { auth: sub }))).toEqual([
      400,
      "invalid_hostname",
    ]);
    expect(await problem(await call(`/pools/${POOL}/health`, { auth: null }))).toEqual([401, "unauthorized"]);
  });
});

describe("a server without pools or heartbeats", () => {
  it("answers 404 not_found", async () => {
    f = await createFixture();
    token = await f.token(["example.com"], { subtree: true });
    expect(await problem(await beat({ body: { hostname: "home.example.com" } }))).toEqual([404, "not_found"]);
    expect(await problem(await call(`/pools/${POOL}/health`))).toEqual([404, "not_found"]);
  });
});
