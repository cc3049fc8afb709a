// The console's pool pages (web/admin/pools.js, pool.js) in Chromium against a canned admin API: the
// real web/admin assets served by registerPages, and the pool routes of docs/pools.md ("JSON API")
// answered from fixtures by a small Hono app on port 0 (the routes, CSRF check and problem+json
// errors follow the admin API's conventions; the real routes are tested in src/http/routes/admin/).
// It lets the test reach states a real pool reaches only slowly (all down, several nodes, 30 minutes
// of roll-ups) and hostile strings the real validation would refuse (a pool name with markup).
// BEACON_SCREENSHOTS=1 also writes docs/images/admin-pool.png.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Hono, type Context } from "hono";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serveFetch, type TestServer } from "../../src/agent/targets/testing/serve.js";
import { webAssets } from "../../src/cli/web-assets.js";
import { registerPages } from "../../src/http/pages/assets.js";
import { chromiumAvailable, launchChromium, scriptErrors } from "./support/browser.js";
import { ROOT } from "./support/beacon.js";

const SHOTS = process.env["BEACON_SCREENSHOTS"] === "1" ? join(ROOT, "docs/images") : undefined;
const CSRF = "csrf-canned-pools-0123456789";
const WWW = "www.dyn.example.com";
/** Would run script if the page ever built markup from server strings. */
const EVIL = `evil<img src=x onerror="window.__pwned=1">.dyn.example.com`;
const EVIL_REASON = `<script>window.__pwned=2</script>status 503`;

const problem = (status: number, code: string, detail: string) =>
  new Response(JSON.stringify({ type: "about:blank", title: code, status, code, detail }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

type Json = Record<string, unknown>;

interface Fake {
  pools: Map<string, Json>;
  /** Every write: method, path, CSRF header, body. */
  changes: { method: string; path: string; csrf: string | null; body: unknown }[];
}

const check = { type: "http", path: "/healthz", intervalMs: 10_000, timeoutMs: 3_000, rise: 2, fall: 3 };

function member(id: string, address: string, status: string, extra: Json = {}): Json {
  // As the real API sends them: absent values are null.
  return {
    id,
    addresses: [address],
    host: null,
    priority: 1,
    weight: 1,
    status,
    override: "none",
    local: null,
    nodes: [],
    ...extra,
  };
}

function fixtures(now: number): Map<string, Json> {
  const www = {
    spec: {
      name: WWW,
      type: "A",
      steering: "failover",
      whenAllDown: "all",
      fallback: [],
      maxAnswers: 8,
      ttlMin: 30,
      ttlMax: 60,
      check,
      members: [],
    },
    members: [
      member("web1", "192.0.2.10", "up", {
        local: { status: "up", streak: 0, rttMs: 12.34, since: now - 7_200_000 },
        nodes: [
          { node: "node-a", status: "up", observedAt: now - 5_000 },
          { node: "node-b", status: "up", observedAt: now - 7_000 },
        ],
      }),
      member("web2", "192.0.2.20", "down", {
        priority: 2,
        local: { status: "down", streak: 0, lastReason: "timeout", since: now - 600_000 },
        nodes: [
          { node: "node-a", status: "down", observedAt: now - 5_000 },
          { node: "node-b", status: "down", observedAt: now - 6_000 },
        ],
      }),
    ],
    published: { values: ["192.0.2.10"], ttl: 30 },
    allDown: false,
    leader: null,
    createdAt: now - 86_400_000,
    updatedAt: now - 600_000,
  };
  const evil = {
    spec: { ...www.spec, name: EVIL, steering: "all" },
    members: [
      member("x", "192.0.2.99", "down", {
        local: { status: "down", streak: 3, rttMs: null, lastReason: EVIL_REASON, since: now - 60_000 },
      }),
      member("y", "192.0.2.98", "unknown"),
    ],
    published: null,
    allDown: true,
    leader: null,
    createdAt: now,
    updatedAt: now,
  };
  return new Map<string, Json>([
    [WWW, www],
    [EVIL, evil],
  ]);
}

/** Transitions of www, deliberately not in time order (the page sorts them newest first). */
function transitions(now: number) {
  const t = (id: number, ago: number, m: string, from: string, to: string, reason: string) => ({
    id,
    at: now - ago,
    pool: WWW,
    member: m,
    node: "node-a",
    from,
    to,
    reason,
  });
  return [
    t(2, 600_000, "web2", "up", "down", "timeout"),
    t(1, 3_600_000, "web1", "unknown", "up", "status 200"),
    t(3, 60_000, "web2", "down", "maintenance", "override by admin"),
  ];
}

/** 30 minutes of roll-ups of both members from two nodes; web2 fails from minute 20 on. */
function rollups(now: number) {
  const first = Math.floor(now / 60_000) * 60_000 - 30 * 60_000;
  const rows = [];
  for (let i = 0; i < 30; i++) {
    for (const node of ["node-a", "node-b"]) {
      rows.push({
        pool: WWW,
        member: "web1",
        node,
        minute: first + i * 60_000,
        ok: 6,
        fail: 0,
        rttMinMs: 10 + (i % 3),
        rttMaxMs: 20 + i,
        rttSumMs: 6 * (14 + (i % 5)),
      });
      const failing = i >= 20;
      rows.push({
        pool: WWW,
        member: "web2",
        node,
        minute: first + i * 60_000,
        ok: failing ? 0 : 6,
        fail: failing ? 6 : 0,
        ...(failing ? {} : { rttMinMs: 30, rttMaxMs: 45 }),
        rttSumMs: failing ? 0 : 6 * 37,
      });
    }
  }
  return rows;
}

/** Roll-ups no real server sends: a garbage minute, negative and non-numeric counts, a missing sum. */
function hostileRollups(now: number) {
  const minute = Math.floor(now / 60_000) * 60_000 - 120_000;
  const row = { pool: EVIL, member: "x", node: "node-a" };
  return [
    { ...row, minute: "garbage", ok: 1, fail: 0, rttSumMs: 5 },
    { ...row, minute, ok: -3, fail: "2", rttSumMs: null, rttMinMs: "1", rttMaxMs: -4 },
    { ...row, minute: minute + 60_000, ok: 2, fail: 0, rttSumMs: 20, rttMinMs: 8, rttMaxMs: 12 },
  ];
}

function fakeServer(f: Fake, now: number): Hono {
  const app = new Hono();
  registerPages(app, webAssets, "admin");
  const session = {
    user: { name: "admin" },
    csrfToken: CSRF,
    expiresAt: new Date(now + 3_600_000).toISOString(),
  };
  app.get("/api/v1/setup", (c) => c.json({ required: false }));
  app.get("/api/v1/session", (c) => c.json(session));
  app.use("/api/v1/admin/*", async (c, next) => {
    if (c.req.method !== "GET") {
      const body: unknown =
        c.req.header("content-type") === "application/json" ? await c.req.json() : undefined;
      f.changes.push({
        method: c.req.method,
        path: new URL(c.req.url).pathname,
        csrf: c.req.header("x-csrf-token") ?? null,
        body,
      });
      if (c.req.header("x-csrf-token") !== CSRF) return problem(403, "csrf_failed", "csrf");
    }
    await next();
    return undefined;
  });
  const pool = (c: Context) => f.pools.get(c.req.param("name") ?? "");
  app.get("/api/v1/admin/pools", (c) => c.json({ pools: [...f.pools.values()] }));
  app.get("/api/v1/admin/pools/:name", (c) => {
    const p = pool(c);
    return p === undefined ? problem(404, "pool_not_found", "no such pool") : c.json({ pool: p });
  });
  app.put("/api/v1/admin/pools/:name", (c) => {
    const body = f.changes.at(-1)?.body as Json;
    const members = (body["members"] ?? []) as Json[];
    const address = members[0]?.["address"];
    if (typeof address !== "string" || !/^\d+\.\d+\.\d+\.\d+$/.test(address))
      return problem(400, "invalid_pool", "members[0].address: not an IPv4 address");
    const name = c.req.param("name");
    const created = !f.pools.has(name);
    const spec = { ...body, check, whenAllDown: "all", fallback: [], maxAnswers: 8, ttlMin: 30, ttlMax: 60 };
    f.pools.set(name, {
      spec,
      members: members.map((m) => member(String(m["id"]), String(m["address"]), "unknown")),
      allDown: false,
      createdAt: now,
      updatedAt: now,
    });
    return c.json({ pool: spec, created }, created ? 201 : 200);
  });
  app.delete("/api/v1/admin/pools/:name", (c) =>
    f.pools.delete(c.req.param("name")) ? c.body(null, 204) : problem(404, "pool_not_found", "no such pool"),
  );
  app.put("/api/v1/admin/pools/:name/members/:member/override", (c) => {
    const p = pool(c);
    const m = (p?.["members"] as Json[] | undefined)?.find((x) => x["id"] === c.req.param("member"));
    if (p === undefined || m === undefined) return problem(404, "member_not_found", "no such member");
    m["override"] = (f.changes.at(-1)?.body as Json)["override"];
    return c.json({ pool: p });
  });
  app.get("/api/v1/admin/pools/:name/transitions", (c) =>
    c.json({ transitions: c.req.param("name") === WWW ? transitions(now) : [] }),
  );
  app.get("/api/v1/admin/pools/:name/rollups", (c) =>
    c.json({ rollups: c.req.param("name") === WWW ? rollups(now) : hostileRollups(now) }),
  );
  return app;
}

describe.runIf(chromiumAvailable())("admin console pool pages against a canned pools API", () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;
  let f: Fake;
  let consoleErrors: string[];
  const now = Date.now();

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    f = { pools: fixtures(now), changes: [] };
    server = await serveFetch(fakeServer(f, now).fetch);
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.setDefaultTimeout(10_000);
    consoleErrors = scriptErrors(page);
  });
  afterEach(async () => {
    await page?.close();
    await server?.close();
  });

  const open = async (hash: string, heading: string) => {
    await page.goto(`${server.url}/admin/${hash}`);
    await page.getByRole("heading", { name: heading, exact: true }).waitFor();
  };
  const pwned = () => page.evaluate("window.__pwned");

  it("the list shows both pools with members up, answers and the all-down warning; hostile names stay text", async () => {
    await open("#/pools", "Pools");
    const rows = page.locator(".pool-list tbody tr");
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    const www = rows.filter({ hasText: WWW });
    expect(await www.locator(".members-up").textContent()).toBe("1/2 up");
    expect(await www.locator(".answers").textContent()).toBe("192.0.2.10 · TTL 30 s");
    expect(await www.locator(".badge").textContent()).toBe("serving");
    const evil = rows.filter({ has: page.getByRole("link", { name: EVIL, exact: true }) });
    expect(await evil.locator(".answers").textContent()).toBe("nothing published");
    expect(await evil.locator(".badge").textContent()).toBe("all down");
    expect(await page.locator(".pool-list .note.warn").textContent()).toContain(
      `All members are down in ${EVIL}.`,
    );
    expect(await page.locator("#view img").count()).toBe(0);
    expect(await pwned()).toBeUndefined();
    expect(await page.getByRole("link", { name: "Pools" }).getAttribute("aria-current")).toBe("page");
    await page.getByRole("link", { name: WWW }).click();
    await page.getByRole("heading", { name: WWW, exact: true }).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it("a pool's page: members with status in words, since, RTT, reason and per-node states; answers now", async () => {
    await open(`#/pools/${encodeURIComponent(WWW)}`, WWW);
    const web2 = page.locator('.pool-members tr[data-member="web2"]');
    await web2.waitFor();
    // Status in text and colour: the word "down" in a red (error) badge.
    const status = web2.locator(".member-status .badge");
    expect(await status.textContent()).toBe("down");
    expect(await status.getAttribute("class")).toBe("badge error");
    expect(await web2.locator(".reason").textContent()).toBe("timeout");
    expect(await web2.locator(".nodes").textContent()).toBe("node-a: downnode-b: down");
    const web1 = page.locator('.pool-members tr[data-member="web1"]');
    expect(await web1.locator(".member-status .badge").textContent()).toBe("up");
    expect(await web1.locator("td.num").allTextContents()).toEqual(["1", "1", "12.3 ms"]);
    expect(await web1.locator("time").textContent()).toBe("2 h ago");
    expect(await page.locator(".published").textContent()).toBe("192.0.2.10 · TTL 30 s");
    expect(await page.locator(".facts").textContent()).toContain("http /healthz every 10 s, timeout 3 s");
    expect(consoleErrors).toEqual([]);
  });

  it("an override asks first, then sends the PUT with CSRF and the chosen value (by keyboard)", async () => {
    await open(`#/pools/${encodeURIComponent(WWW)}`, WWW);
    const group = page.getByRole("group", { name: "Override of web1" });
    await group.waitFor();
    expect(await group.getByRole("button", { name: "None" }).getAttribute("aria-pressed")).toBe("true");
    const forced = group.getByRole("button", { name: "Forced down" });
    await forced.focus();
    await page.keyboard.press("Enter");
    await group.getByRole("button", { name: "Set forced down?" }).waitFor();
    expect(f.changes).toEqual([]); // one press only asks
    await page.keyboard.press("Enter");
    await expect.poll(() => f.changes.length).toBe(1);
    expect(f.changes[0]).toEqual({
      method: "PUT",
      path: `/api/v1/admin/pools/${WWW}/members/web1/override`,
      csrf: CSRF,
      body: { override: "forced_down" },
    });
    const badges = page.locator('.pool-members tr[data-member="web1"] .member-status .badge');
    await expect.poll(() => badges.allTextContents()).toEqual(["up", "forced down"]);
    expect(await group.getByRole("button", { name: "Forced down" }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    expect(await page.locator(".note.ok").textContent()).toBe("web1: override forced down.");
    // The table is drawn anew; the keyboard stays on the member's (now pressed) override.
    expect(await page.evaluate("document.activeElement.closest('tr').dataset.member")).toBe("web1");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Forced down");
  });

  it("RTT charts are drawn per member from every node's roll-ups; the timeline lists transitions newest first", async () => {
    await open(`#/pools/${encodeURIComponent(WWW)}`, WWW);
    const charts = page.locator("svg.rtt-chart");
    await charts.nth(1).waitFor();
    expect(await charts.count()).toBe(2);
    const web1 = charts.nth(0);
    expect(await web1.getAttribute("aria-label")).toBe(
      "Round-trip time and probe success of web1 over the last 1 h",
    );
    expect(await web1.locator(".rt-minute").count()).toBe(30);
    const line = (await web1.locator("polyline.rt-avg").getAttribute("points")) ?? "";
    expect(line.split(" ")).toHaveLength(30);
    const box = await web1.locator("polyline.rt-avg").boundingBox();
    expect(box !== null && box.width > 10 && box.height > 1).toBe(true);
    // Two nodes' minutes merged: 12 probes a minute; web1's first minute averages 14 ms over 10–20 ms.
    expect(await web1.locator(".rt-minute title").first().textContent()).toMatch(
      / · 12 of 12 ok · avg 14 ms, 10 ms–20 ms$/,
    );
    // web2 failed its last 10 minutes: the average line stops, the strip shows them failed.
    const web2 = charts.nth(1);
    expect(((await web2.locator("polyline.rt-avg").getAttribute("points")) ?? "").split(" ")).toHaveLength(
      20,
    );
    expect(await web2.locator(".rt-minute title").last().textContent()).toMatch(
      / · 0 of 12 ok · no successful probe$/,
    );
    expect(await web2.locator(".rc-now").textContent()).toBe("last avg 37 ms");

    // The whole day on request: the same 30 minutes, on a longer axis.
    await page.getByRole("button", { name: "24 hours" }).click();
    expect(await web1.getAttribute("aria-label")).toBe(
      "Round-trip time and probe success of web1 over the last 24 h",
    );
    expect(await web1.locator(".rt-minute").count()).toBe(30);
    expect(await page.getByRole("button", { name: "1 hour" }).getAttribute("aria-pressed")).toBe("false");
    await page.getByRole("button", { name: "1 hour" }).click();

    const items = page.getByRole("list", { name: `Transitions of ${WWW}, newest first` }).locator("li");
    expect(await items.locator(".reason").allTextContents()).toEqual([
      "override by admin",
      "timeout",
      "status 200",
    ]);
    expect(await items.first().locator(".badge").allTextContents()).toEqual(["down", "maintenance"]);
    if (SHOTS !== undefined) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "admin-pool.png"), fullPage: true });
    }
  });

  it("the definition form: bad JSON and a non-object are refused here, the server's invalid_pool message is shown, a good one is created", async () => {
    await open("#/pools", "Pools");
    await page.getByText("Create or replace a pool").click();
    const text = page.getByLabel("Pool definition (JSON)");
    const save = page.getByRole("button", { name: "Save pool" });
    const error = page.locator(".pool-form .note.error");
    // The example is prefilled and is valid JSON naming a pool.
    expect(JSON.parse(await text.inputValue())).toMatchObject({ name: "www.dyn.example.com", type: "A" });
    await text.fill("{ not json");
    await save.click();
    await expect.poll(() => error.textContent()).toContain("Not valid JSON");
    for (const bad of ["[1, 2]", "null", '"www"', '{ "type": "A" }']) {
      await text.fill(bad);
      await save.click();
      await expect
        .poll(() => error.textContent(), { message: bad })
        .toBe('The definition must be a JSON object with a "name".');
    }
    expect(f.changes).toEqual([]);
    const definition = {
      name: "api.dyn.example.com",
      type: "A",
      members: [{ id: "a", address: "192.0.2.x" }],
    };
    await text.fill(JSON.stringify(definition));
    await save.click();
    await expect
      .poll(() => error.textContent())
      .toBe("members[0].address: not an IPv4 address (invalid_pool)");
    definition.members[0] = { id: "a", address: "192.0.2.1" };
    await text.fill(JSON.stringify(definition));
    await save.click();
    await expect
      .poll(() => page.locator(".pool-form .note.ok").textContent())
      .toBe("Created pool api.dyn.example.com.");
    await page.getByRole("link", { name: "api.dyn.example.com" }).waitFor();
    expect(f.changes.map((c) => [c.method, c.path, c.csrf])).toEqual([
      ["PUT", "/api/v1/admin/pools/api.dyn.example.com", CSRF],
      ["PUT", "/api/v1/admin/pools/api.dyn.example.com", CSRF],
    ]);
    expect(f.changes[1]?.body).toEqual(definition);
    expect(consoleErrors).toEqual([]);
  });

  it("a hostile pool's page shows its name and reasons as text; delete asks first, then returns to the list", async () => {
    await open(`#/pools/${encodeURIComponent(EVIL)}`, EVIL);
    await page.locator('.pool-members tr[data-member="x"]').waitFor();
    expect(await page.locator(".pool-members .reason").first().textContent()).toBe(EVIL_REASON);
    expect(await page.locator(".all-down").textContent()).toContain("All members are down.");
    expect(await page.locator(".published").textContent()).toBe("nothing published");
    expect(await page.locator("#view img, #view script").count()).toBe(0);
    expect(await pwned()).toBeUndefined();
    // Garbage roll-ups: the bad minute is left out, bad numbers count as absent, nothing is NaN.
    const chart = page.locator("svg.rtt-chart");
    expect(await chart.locator(".rt-minute title").allTextContents()).toEqual([
      expect.stringMatching(/ · 0 of 0 ok · no successful probe$/),
      expect.stringMatching(/ · 2 of 2 ok · avg 10 ms, 8\.0 ms–12 ms$/),
    ]);
    expect(String(await page.evaluate("document.querySelector('svg.rtt-chart').outerHTML"))).not.toContain(
      "NaN",
    );
    await page.getByRole("button", { name: "Delete pool" }).click();
    expect(f.changes).toEqual([]);
    await page.getByRole("button", { name: "Really delete? Its answer stays as a plain record set" }).click();
    await page.getByRole("heading", { name: "Pools", exact: true }).waitFor();
    expect(f.changes.map((c) => [c.method, c.path, c.csrf])).toEqual([
      ["DELETE", `/api/v1/admin/pools/${encodeURIComponent(EVIL)}`, CSRF],
    ]);
    await expect.poll(() => page.locator(".pool-list tbody tr").count()).toBe(1);
    expect(f.pools.has(EVIL)).toBe(false);
  });

  it("an absent pool says so; at 360 px the pool pages do not scroll sideways", async () => {
    await open("#/pools/gone.dyn.example.com", "gone.dyn.example.com");
    await expect
      .poll(() => page.locator(".note.error").first().textContent())
      .toBe("This pool no longer exists.");
    await page.setViewportSize({ width: 360, height: 700 });
    for (const [hash, heading] of [
      ["#/pools", "Pools"],
      [`#/pools/${encodeURIComponent(WWW)}`, WWW],
    ] as const) {
      await open(hash, heading);
      await page.waitForLoadState("networkidle");
      expect(Number(await page.evaluate("document.documentElement.scrollWidth")), hash).toBeLessThanOrEqual(
        360,
      );
    }
    expect(consoleErrors).toEqual([]);
  });
});
