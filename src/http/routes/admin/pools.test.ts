import { beforeEach, describe, expect, it } from "vitest";
import { fakePools, POOL_TIME, type FakePools } from "../../testing/pools.js";
import { ORIGIN, sessionHarness } from "../sign-in/testing.js";
import { adminHarness, problemOf, type AdminHarness } from "./testing.js";

const PROBLEM = "application/problem+json";
const NAME = "www.example.com";
const definition = {
  type: "A",
  members: [
    { id: "a", address: "81.2.69.160" },
    { id: "b", host: "home.example.com" },
  ],
};

let h: AdminHarness;
let pools: FakePools;
beforeEach(async () => {
  pools = fakePools();
  h = await adminHarness({ pools: pools.admin });
});

const put = (path: string, body: unknown) => h.api(path, { method: "PUT", body });
const created = () => put(`/pools/${NAME}`, definition);

describe("PUT /pools/:name", () => {
  it("creates (201) then replaces (200) the pool, telling the health service each time", async () => {
    const first = await created();
    expect(first.status).toBe(201);
    const body = (await first.json()) as { pool: { name: string; members: unknown[] }; created: boolean };
    expect(body.created).toBe(true);
    expect(body.pool.name).toBe(NAME);
    expect(body.pool.members).toHaveLength(2);
    const again = await put(`/pools/WWW.Example.COM.`, { ...definition, name: "www.EXAMPLE.com." });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, pool: { name: NAME } });
    expect(pools.calls).toEqual([`put ${NAME}`, `put ${NAME}`]);
    expect(h.calls.poolsChanged).toBe(2);
  });

  const big = { members: [{ id: "a", address: "x".repeat(2 * 1024 * 1024) }] };
  it.each([
    ["a body that is not JSON", { raw: "{members: [" }, 400, "bad_request"],
    ["a JSON array", { body: [definition] }, 400, "invalid_pool"],
    ["JSON null", { raw: "null" }, 400, "invalid_pool"],
    ["a JSON string", { body: "pool" }, 400, "invalid_pool"],
    ["another name in the body", { body: { ...definition, name: "other.example.com" } }, 400, "invalid_pool"],
    ["a name that is not a string", { body: { ...definition, name: 5 } }, 400, "invalid_pool"],
    ["a definition the service refuses", { body: { type: "A" } }, 400, "invalid_pool"],
    ["a 2 MB body", { body: big }, 413, "parameter_too_large"],
    [
      "JSON sent as text/plain",
      { raw: JSON.stringify(definition), headers: { "content-type": "text/plain" } },
      415,
      "unsupported_media_type",
    ],
  ])("refuses %s, changing nothing", async (_n, init, status, code) => {
    const res = await h.api(`/pools/${NAME}`, { method: "PUT", ...init });
    expect(await problemOf(res)).toEqual({ status, code, type: PROBLEM });
    expect(pools.views.size).toBe(0);
    expect(h.calls.poolsChanged).toBe(0);
  });
});

describe("hostile pool names", () => {
  it.each([
    ["a 10k-char name", "a".repeat(10_000)],
    ["a 254-char name", `${"a".repeat(63)}.`.repeat(4).slice(0, 254)],
    ["../", "..%2Fetc"],
    ["unicode", encodeURIComponent("pööl.example.com")],
    ["a NUL", "www%00.example.com"],
    ["a space", "www%20x.example.com"],
  ])("400 invalid_hostname for %s, before any service call", async (_n, name) => {
    for (const [method, path] of [
      ["GET", `/pools/${name}`],
      ["DELETE", `/pools/${name}`],
      ["GET", `/pools/${name}/transitions`],
      ["GET", `/pools/${name}/rollups`],
    ] as const) {
      expect(await problemOf(await h.api(path, { method }))).toEqual({
        status: 400,
        code: "invalid_hostname",
        type: PROBLEM,
      });
    }
    const res = await put(`/pools/${name}`, definition);
    expect((await problemOf(res)).code).toBe("invalid_hostname");
    expect(pools.calls).toEqual([]);
  });
});

describe("GET /pools and /pools/:name", () => {
  const member = (id: string, addresses: string[], host: string | null) => ({
    id,
    addresses,
    host,
    priority: 1,
    weight: 1,
    status: "unknown",
    override: "none",
    local: null,
    nodes: [],
  });

  it("lists and shows pool views with ISO times, lowercasing the path's name", async () => {
    await created();
    const view = {
      spec: pools.views.get(NAME)?.spec,
      members: [member("a", ["81.2.69.160"], null), member("b", [], "home.example.com")],
      published: null,
      allDown: false,
      leader: null,
      createdAt: new Date(POOL_TIME).toISOString(),
      updatedAt: new Date(POOL_TIME).toISOString(),
    };
    expect(await (await h.api("/pools")).json()).toEqual({ pools: [view] });
    expect(await (await h.api("/pools/WWW.example.com")).json()).toEqual({ pool: view });
  });

  it("404 pool_not_found for an unknown pool", async () => {
    expect(await problemOf(await h.api("/pools/none.example.com"))).toEqual({
      status: 404,
      code: "pool_not_found",
      type: PROBLEM,
    });
  });
});

describe("DELETE /pools/:name", () => {
  it("deletes (204), then 404s", async () => {
    await created();
    expect((await h.api(`/pools/${NAME}`, { method: "DELETE" })).status).toBe(204);
    expect(pools.views.size).toBe(0);
    const again = await h.api(`/pools/${NAME}`, { method: "DELETE" });
    expect(await problemOf(again)).toEqual({ status: 404, code: "pool_not_found", type: PROBLEM });
    expect(h.calls.poolsChanged).toBe(2);
  });
});

describe("PUT /pools/:name/members/:member/override", () => {
  const override = (member: string, body: unknown, name = NAME) =>
    put(`/pools/${name}/members/${member}/override`, body);

  it("sets the override and answers the pool view", async () => {
    await created();
    const res = await override("b", { override: "maintenance" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { pool: { members: { id: string; override: string }[] } };
    expect(body.pool.members.map((m) => [m.id, m.override])).toEqual([
      ["a", "none"],
      ["b", "maintenance"],
    ]);
    expect(pools.calls.at(-1)).toBe(`override ${NAME} b maintenance`);
    expect(h.calls.poolsChanged).toBe(2);
  });

  it.each([
    ["an unknown override", "a", { override: "up" }, 400, "bad_request"],
    ["no override", "a", {}, 400, "bad_request"],
    ["an extra field", "a", { override: "none", until: 5 }, 400, "bad_request"],
    ["an uppercase member id", "A", { override: "none" }, 400, "bad_request"],
    ["a member id with a slash", "a%2Fb", { override: "none" }, 400, "bad_request"],
    ["a 64-char member id", "a".repeat(64), { override: "none" }, 400, "bad_request"],
    ["a unicode member id", encodeURIComponent("ä"), { override: "none" }, 400, "bad_request"],
    ["an unknown member", "zz", { override: "none" }, 404, "member_not_found"],
  ])("refuses %s", async (_n, member, body, status, code) => {
    await created();
    expect(await problemOf(await override(member, body))).toEqual({ status, code, type: PROBLEM });
    expect(h.calls.poolsChanged).toBe(1);
  });

  it("404 pool_not_found for an unknown pool", async () => {
    const res = await override("a", { override: "forced_down" }, "none.example.com");
    expect(await problemOf(res)).toEqual({ status: 404, code: "pool_not_found", type: PROBLEM });
  });
});

describe("GET /pools/:name/transitions", () => {
  beforeEach(async () => {
    await created();
    for (const id of [1, 2, 3])
      pools.transitions.push({
        id,
        at: POOL_TIME + id * 1000,
        pool: NAME,
        member: "a",
        node: "n1",
        from: "up",
        to: "down",
        reason: "timeout",
      });
  });

  it("pages newest first with next = the last id; limit defaults to 100", async () => {
    const first = await h.api(`/pools/${NAME}/transitions?limit=2`);
    const page = (await first.json()) as { transitions: { id: number }[]; next?: number };
    expect(page.transitions.map((t) => t.id)).toEqual([3, 2]);
    expect(page.next).toBe(2);
    const rest = await h.api(`/pools/${NAME}/transitions?limit=2&before=2`);
    expect(await rest.json()).toEqual({
      transitions: [
        {
          id: 1,
          at: new Date(POOL_TIME + 1000).toISOString(),
          member: "a",
          node: "n1",
          from: "up",
          to: "down",
          reason: "timeout",
          rttMs: null,
        },
      ],
    });
    await h.api(`/pools/${NAME}/transitions`);
    expect(pools.calls.slice(-3)).toEqual([
      `transitions ${NAME} 2 -`,
      `transitions ${NAME} 2 2`,
      `transitions ${NAME} 100 -`,
    ]);
  });

  it.each(["limit=-1", "limit=abc", "limit=1e9", "limit=0", "limit=501", "before=-5", "before=x"])(
    "400 bad_request for %s",
    async (query) => {
      const res = await h.api(`/pools/${NAME}/transitions?${query}`);
      expect(await problemOf(res)).toEqual({ status: 400, code: "bad_request", type: PROBLEM });
      expect(pools.calls.filter((c) => c.startsWith("transitions"))).toEqual([]);
    },
  );

  it("404 pool_not_found for an unknown pool", async () => {
    const res = await h.api("/pools/none.example.com/transitions");
    expect((await problemOf(res)).code).toBe("pool_not_found");
  });
});

describe("GET /pools/:name/rollups", () => {
  beforeEach(async () => {
    await created();
    pools.rollups.push({
      pool: NAME,
      member: "a",
      node: "n1",
      minute: POOL_TIME,
      ok: 5,
      fail: 1,
      rttSumMs: 50,
    });
  });

  it("passes since as ms (default 1h) and shows the roll-ups", async () => {
    const res = await h.api(`/pools/${NAME}/rollups?since=24h`);
    expect(await res.json()).toEqual({
      rollups: [
        {
          member: "a",
          node: "n1",
          minute: new Date(POOL_TIME).toISOString(),
          ok: 5,
          fail: 1,
          rttMinMs: null,
          rttMaxMs: null,
          rttSumMs: 50,
        },
      ],
    });
    await h.api(`/pools/${NAME}/rollups`);
    await h.api(`/pools/${NAME}/rollups?since=7d`);
    expect(pools.calls.slice(-3)).toEqual([
      `rollups ${NAME} 86400000`,
      `rollups ${NAME} 3600000`,
      `rollups ${NAME} 604800000`,
    ]);
  });

  it.each(["garbage", "8d", "0s", "-1h", "1h;x", "1e9", "1".repeat(40)])(
    "400 bad_request for since=%s",
    async (since) => {
      const res = await h.api(`/pools/${NAME}/rollups?since=${encodeURIComponent(since)}`);
      expect(await problemOf(res)).toEqual({ status: 400, code: "bad_request", type: PROBLEM });
    },
  );
});

describe("a server without pools", () => {
  it.each([
    ["GET", "/pools"],
    ["PUT", `/pools/${NAME}`],
    ["GET", `/pools/${NAME}/rollups`],
  ])("answers %s %s with 404 not_found", async (method, path) => {
    const bare = await adminHarness();
    const res = await bare.api(path, { method, ...(method === "PUT" ? { body: definition } : {}) });
    expect(await problemOf(res)).toEqual({ status: 404, code: "not_found", type: PROBLEM });
    expect(bare.calls.poolsChanged).toBe(0);
  });
});

describe("behind the session middleware", () => {
  it("reads with the cookie alone; every change needs the CSRF token", async () => {
    const s = sessionHarness({ admin: h.routes });
    await s.users.add("alice", "a long enough password");
    const { cookie, csrf } = await s.signIn("alice", "a long enough password");
    const same = { origin: ORIGIN, "sec-fetch-site": "same-origin" };
    const path = `/api/v1/admin/pools/${NAME}`;

    const refused = await s.call(path, { method: "PUT", body: definition, cookie });
    expect(await problemOf(refused)).toEqual({ status: 403, code: "csrf_failed", type: PROBLEM });
    expect(pools.views.size).toBe(0);
    const ok = await s.call(path, { method: "PUT", body: definition, cookie, csrf, headers: same });
    expect(ok.status).toBe(201);

    expect((await s.call(path, { cookie })).status).toBe(200);
    for (const [method, p, body] of [
      ["DELETE", path, undefined],
      ["PUT", `${path}/members/a/override`, { override: "forced_down" }],
    ] as const) {
      const res = await s.call(p, { method, ...(body === undefined ? {} : { body }), cookie });
      expect((await problemOf(res)).code).toBe("csrf_failed");
    }
    expect(pools.calls).toEqual([`put ${NAME}`]);
    expect((await s.call(path)).status).toBe(401);
  });
});
