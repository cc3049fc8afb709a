// The admin console (web/admin) in Chromium against a canned admin API that follows
// docs/admin.md: fast, no server process, and it reaches answers the real server gives only rarely
// (429 with Retry-After, session_expired, 500 history entries). The real server end to end is
// admin-ui.test.ts.

import { Hono, type Context } from "hono";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serveFetch, type TestServer } from "../../src/agent/targets/testing/serve.js";
import { webAssets } from "../../src/cli/web-assets.js";
import { registerPages } from "../../src/http/pages/assets.js";
import { chromiumAvailable, launchChromium, scriptErrors } from "./support/browser.js";

const CSRF = "csrf-canned-0123456789";
const CODE = "setup-code-42";
const PASSWORD = "correct horse battery";
const SECRET = "bk_canned_secret_value_0123456789";

const problem = (status: number, code: string, detail: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: "about:blank", title: code, status, code, detail }), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });

interface Entry {
  id: number;
  hostId: number | null;
  type: string;
  oldValues: string[] | null;
  newValues: string[] | null;
  at: string;
  count: number;
  lastAt: string;
  outcome: string;
  refused: boolean;
  protocol: string;
  tokenId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
}

interface Fake {
  setupDone: boolean;
  signedIn: boolean;
  expired: boolean;
  failures: number;
  zones: string[];
  hosts: string[];
  /** fqdn → abuse flag (limits.md). */
  abuse: Map<string, { flaggedAt: string; reason: string }>;
  /** Hosts with an AWS-sample credential (protocols/aws-sample.md). */
  sample?: Set<string>;
  history: Entry[];
  changes: { method: string; path: string; csrf: string | null }[];
  /** Bodies of PATCH /zones/:name, in order. */
  patches: Record<string, unknown>[];
}

const session = () => ({ user: { name: "admin" }, csrfToken: CSRF, expiresAt: new Date().toISOString() });

function hostView(f: Fake, fqdn: string) {
  const last = f.history.filter((e) => !e.refused && e.newValues !== null).at(-1);
  return {
    fqdn,
    zone: fqdn.slice(fqdn.indexOf(".") + 1),
    ttl: 60,
    description: null,
    records: last === undefined ? [] : [{ type: "A", ttl: 60, values: last.newValues, updatedAt: last.at }],
    lastUpdate: last ?? null,
    abuse: f.abuse.get(fqdn) ?? null,
  };
}

function tokenView(id: string, fqdn: string) {
  return {
    id,
    label: fqdn,
    names: [{ name: fqdn, subtree: false }],
    types: ["A", "AAAA", "TXT"],
    allowedCidrs: [],
    createdAt: new Date().toISOString(),
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    state: "active",
  };
}

function fakeServer(f: Fake): Hono {
  const app = new Hono();
  registerPages(app, webAssets, "admin");
  const body = (c: Context) => c.req.json<Record<string, unknown>>();
  app.get("/api/v1/setup", (c) => c.json({ required: !f.setupDone }));
  app.post("/api/v1/setup", async (c) => {
    const b = await body(c);
    if (f.setupDone) return problem(409, "setup_done", "done");
    if (b["code"] !== CODE) return problem(401, "setup_code_invalid", "wrong code");
    f.setupDone = true;
    f.signedIn = true;
    return c.json(session(), 201);
  });
  app.get("/api/v1/session", (c) =>
    f.signedIn ? c.json(session()) : problem(401, "unauthorized", "sign in"),
  );
  app.post("/api/v1/session", async (c) => {
    const b = await body(c);
    if (f.failures >= 2) return problem(429, "too_many_attempts", "slow down", { "retry-after": "30" });
    if (b["password"] !== PASSWORD) {
      f.failures++;
      return problem(401, "unauthorized", "no");
    }
    f.signedIn = true;
    f.expired = false;
    return c.json(session());
  });
  app.get("/api/v1/session/totp", (c) =>
    f.signedIn
      ? c.json({ enabled: false, pending: false, recoveryCodesLeft: 0 })
      : problem(401, "unauthorized", "sign in"),
  );
  app.post("/api/v1/session/password", async (c) => {
    const b = await body(c);
    if (c.req.header("x-csrf-token") !== CSRF) return problem(403, "csrf_failed", "csrf");
    if (b["current"] !== PASSWORD) return problem(403, "wrong_password", "wrong");
    if (typeof b["new"] !== "string" || b["new"].length < 10) return problem(400, "weak_password", "weak");
    return c.body(null, 204);
  });
  app.delete("/api/v1/session", (c) => {
    f.signedIn = false;
    return c.body(null, 204);
  });
  app.use("/api/v1/admin/*", async (c, next) => {
    if (f.expired) return problem(401, "session_expired", "expired");
    if (!f.signedIn) return problem(401, "unauthorized", "sign in");
    if (c.req.method !== "GET") {
      f.changes.push({ method: c.req.method, path: c.req.path, csrf: c.req.header("x-csrf-token") ?? null });
      if (c.req.header("x-csrf-token") !== CSRF) return problem(403, "csrf_failed", "csrf");
    }
    await next();
    return undefined;
  });
  const zoneView = (name: string) => ({
    name,
    serial: 1,
    ttl: 60,
    nameservers: [],
    soa: {
      mname: `ns1.${name}`,
      rname: `hostmaster.${name}`,
      contact: `hostmaster@${name}`,
      refresh: 3600,
      retry: 600,
      expire: 1_209_600,
      minimum: 60,
    },
    hosts: f.hosts.filter((h) => h.endsWith(`.${name}`)).length,
    mirrors: 0,
    createdAt: new Date().toISOString(),
  });
  app.get("/api/v1/admin/zones", (c) => c.json({ zones: f.zones.map(zoneView) }));
  app.post("/api/v1/admin/zones", async (c) => {
    const name = String((await body(c))["name"]);
    if (f.zones.includes(name)) return problem(409, "zone_exists", "exists");
    f.zones.push(name);
    return c.json({ zone: zoneView(name) }, 201);
  });
  app.patch("/api/v1/admin/zones/:name", async (c) => {
    const b = await body(c);
    f.patches.push(b);
    if (typeof b["minimum"] === "number" && b["minimum"] > 86_400)
      return problem(400, "invalid_soa", "SOA minimum must be a whole number of seconds from 1 to 86400");
    return c.json({ zone: { ...zoneView(c.req.param("name")), serial: 2 } });
  });
  app.get("/api/v1/admin/hosts", (c) => {
    const zone = c.req.query("zone") ?? "";
    return c.json({ hosts: f.hosts.filter((h) => h.endsWith(`.${zone}`)).map((h) => hostView(f, h)) });
  });
  app.post("/api/v1/admin/hosts", async (c) => {
    const fqdn = String((await body(c))["fqdn"]);
    if (f.hosts.includes(fqdn)) return problem(409, "host_exists", "exists");
    f.hosts.push(fqdn);
    const clients = {
      serverUrl: "http://beacon.test",
      curl: `curl -u ${fqdn}:${SECRET} 'http://beacon.test/nic/update?hostname=${fqdn}'`,
      ddclient: `protocol=dyndns2\nlogin=${fqdn}\npassword=${SECRET}\n${fqdn}`,
      inadyn: `custom beacon {\n  password = ${SECRET}\n}`,
      fritzbox: `Update-URL: http://beacon.test/nic/update\nPassword: ${SECRET}`,
      agent: `targets:\n  home: { type: beacon, token: ${SECRET} }`,
    };
    return c.json(
      { host: hostView(f, fqdn), token: { id: "t1", secret: SECRET, label: fqdn }, clients },
      201,
    );
  });
  app.get("/api/v1/admin/hosts/:fqdn", (c) => {
    const fqdn = c.req.param("fqdn");
    if (!f.hosts.includes(fqdn)) return problem(404, "host_not_found", "no");
    const awsSample = f.sample?.has(fqdn)
      ? { createdAt: new Date().toISOString(), lastUsedAt: null, valid: true, weakness: "Replayable hash." }
      : null;
    return c.json({ host: hostView(f, fqdn), tokens: [tokenView("t1", fqdn)], awsSample });
  });
  app.get("/api/v1/admin/tokens", (c) => c.json({ tokens: f.hosts.map((h) => tokenView("t1", h)) }));
  app.post("/api/v1/admin/tokens/:id/rotate", (c) =>
    c.json({ token: tokenView("t2", f.hosts[0] ?? "x.test"), secret: SECRET }),
  );
  app.post("/api/v1/admin/clients", (c) => c.json({ clients: null }));
  app.get("/api/v1/admin/keys", (c) => c.json({ keys: [] }));
  app.get("/api/v1/admin/mirrors", (c) => c.json({ mirrors: [] }));
  app.get("/api/v1/admin/providers", (c) => c.json({ providers: [] }));
  app.get("/api/v1/admin/hosts/:fqdn/history", (c) => c.json({ entries: [...f.history].reverse() }));
  app.delete("/api/v1/admin/hosts/:fqdn/abuse", (c) => {
    f.abuse.delete(c.req.param("fqdn"));
    return c.body(null, 204);
  });
  app.get("/api/v1/admin/stats", (c) => {
    const now = Date.now();
    const notAfter = new Date(now + 60 * 86_400_000).toISOString();
    const points = (k: number) =>
      Array.from({ length: 360 }, (_, i) => ({
        at: new Date(now - (360 - i) * 10_000).toISOString(),
        count: (i * k) % 7,
      }));
    return c.json({
      now: new Date(now).toISOString(),
      intervalSeconds: 10,
      updates: points(3),
      queries: points(5),
      totals: { updates: 1234, queries: 56789, zones: 1, hosts: 2, tokens: 2 },
      version: "0.1.0",
      certificate: { origin: "acme", subject: "CN=dyn.example.com", names: ["dyn.example.com"], notAfter },
      acme: {
        names: ["dyn.example.com"],
        notAfter,
        nextCheckAt: notAfter,
        lastError: "rateLimited",
        failures: 2,
      },
    });
  });
  return app;
}

const run = chromiumAvailable();

describe.runIf(run)("admin console pages against a canned API", () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;
  let f: Fake;
  let consoleErrors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const notFound: string[] = [];
  beforeEach(async () => {
    f = {
      setupDone: true,
      signedIn: false,
      expired: false,
      failures: 0,
      zones: [],
      hosts: [],
      abuse: new Map(),
      history: [],
      changes: [],
      patches: [],
    };
    server = await serveFetch(fakeServer(f).fetch);
    page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    consoleErrors = scriptErrors(page);
    page.on("response", (r) => {
      if (r.status() === 404) notFound.push(r.url());
    });
  });
  afterEach(async () => {
    await page?.close();
    await server?.close();
  });

  const signIn = async () => {
    await page.goto(`${server.url}/admin/`);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Hosts", exact: true }).waitFor();
  };

  it("first-run setup: a wrong code, two different passwords and a short one are refused with a message", async () => {
    f.setupDone = false;
    await page.goto(`${server.url}/admin/`);
    await page.getByLabel("Setup code").fill("nope");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Password again").fill("something else!");
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await expect.poll(() => page.locator(".note.error").textContent()).toContain("differ");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Password again").fill("short");
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await expect.poll(() => page.locator(".note.error").textContent()).toContain("at least 10");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Password again").fill(PASSWORD);
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await expect.poll(() => page.locator(".note.error").textContent()).toContain("setup code is wrong");
    await page.getByLabel("Setup code").fill(CODE);
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await page.getByRole("heading", { name: "Hosts", exact: true }).waitFor();
    expect(await page.locator("#user").textContent()).toBe("admin");
    expect(consoleErrors).toEqual([]);
  });

  it("sign-in: a wrong password says so, the third try shows the 429 wait, a right one signs in", async () => {
    await page.goto(`${server.url}/admin/`);
    for (const attempt of [1, 2]) {
      await page.getByLabel("User name").fill("admin");
      await page.getByLabel("Password").fill("wrong password!");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => f.failures).toBe(attempt);
      expect(await page.locator(".note.error").textContent()).toContain("Wrong user name or password");
    }
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator(".note.error").textContent()).toContain("Try again in 30 s");
    expect(await page.getByRole("button", { name: "Sign in" }).isDisabled()).toBe(true);
    f.failures = 0;
    await page.reload();
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Hosts", exact: true }).waitFor();
  });

  it("create zone and host: the token is shown once with copy-ready configs, every change carries the CSRF header", async () => {
    await signIn();
    await page.getByRole("link", { name: "Create a zone" }).click();
    await page.getByText("Create a zone").click();
    await page.getByLabel("Zone name").fill("dyn.example.com");
    await page.getByRole("button", { name: "Create zone" }).click();
    await page.getByRole("cell", { name: "dyn.example.com", exact: true }).waitFor();
    await page.getByRole("link", { name: "Hosts" }).click();
    await page.getByText("Create a host").click();
    await page.getByLabel("Host name").fill("home");
    await page.getByRole("button", { name: "Create host" }).click();
    const panel = page.getByRole("region", { name: "Token for home.dyn.example.com" });
    await panel.waitFor();
    expect(await panel.getByRole("alert").textContent()).toContain("shown only this once");
    expect(await panel.locator("pre").first().textContent()).toBe(SECRET);
    for (const tab of ["ddclient", "inadyn", "FRITZ!Box", "curl", "Beacon agent"]) {
      await panel.getByRole("tab", { name: tab }).click();
      const shown = panel.locator('[role="tabpanel"]:not([hidden]) pre');
      expect(await shown.textContent()).toContain(SECRET);
      expect(await panel.getByRole("tab", { name: tab }).getAttribute("aria-selected")).toBe("true");
    }
    await page.getByRole("link", { name: "home.dyn.example.com" }).waitFor();
    await panel.getByRole("button", { name: /Done/ }).click();
    expect(await page.content()).not.toContain(SECRET);
    expect(f.changes.map((c) => [c.method, c.path, c.csrf])).toEqual([
      ["POST", "/api/v1/admin/zones", CSRF],
      ["POST", "/api/v1/admin/hosts", CSRF],
    ]);
  });

  it("zones: the SOA form sends only the values that changed and shows the server's refusal", async () => {
    f.zones = ["dyn.example.com"];
    await signIn();
    await page.getByRole("link", { name: "Zones" }).click();
    await page.getByRole("button", { name: "SOA settings of dyn.example.com" }).click();
    const form = page.getByRole("form", { name: "SOA settings of dyn.example.com" });
    expect(await form.getByLabel("Refresh (s)").inputValue()).toBe("3600");
    await form.getByLabel("Minimum: negative-caching TTL (s)").fill("999999");
    await form.getByLabel("Contact").fill("ops@example.org");
    await form.getByRole("button", { name: "Save SOA settings" }).click();
    await expect.poll(() => form.locator(".note.error").textContent()).toContain("from 1 to 86400");
    await form.getByLabel("Minimum: negative-caching TTL (s)").fill("300");
    await form.getByRole("button", { name: "Save SOA settings" }).click();
    await expect.poll(() => page.locator(".note.ok").textContent()).toContain("serial 2");
    expect(f.patches).toEqual([
      { minimum: 999_999, contact: "ops@example.org" },
      { minimum: 300, contact: "ops@example.org" },
    ]);
    expect(f.changes.every((c) => c.csrf === CSRF)).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it("host detail: the timeline draws 500 changes with titles naming client and user agent; the table pages", async () => {
    f.zones = ["dyn.example.com"];
    f.hosts = ["home.dyn.example.com"];
    const start = Date.now() - 500 * 60_000;
    // Every 50th entry is a refused private address (asked, not applied); the last one stands for 12 repeats.
    f.history = Array.from({ length: 500 }, (_, i) => ({
      id: i + 1,
      hostId: 1,
      type: i % 5 === 4 ? "AAAA" : "A",
      oldValues: i === 0 ? null : [`81.2.69.${i % 7}`],
      newValues: [
        i % 50 === 49 ? `10.0.0.${i}` : i % 5 === 4 ? `2a02:8070::${i % 3}` : `81.2.69.${(i + 1) % 7}`,
      ],
      at: new Date(start + i * 60_000).toISOString(),
      count: i === 499 ? 12 : 1,
      lastAt: new Date(start + (i === 499 ? i + 11 : i) * 60_000).toISOString(),
      outcome: i % 50 === 49 ? "ip_not_global" : "good",
      refused: i % 50 === 49,
      protocol: "dyndns2",
      tokenId: "t1",
      sourceIp: `81.2.69.${(i + 1) % 7}`,
      userAgent: `router-${i}/1.0`,
    }));
    await signIn();
    await page.goto(`${server.url}/admin/#/hosts/home.dyn.example.com`);
    const timeline = page.locator("svg.timeline");
    await timeline.waitFor();
    expect(await timeline.getAttribute("aria-label")).toBe("Address history of home.dyn.example.com");
    const lanes = await timeline.locator(".tl-type").allTextContents();
    expect(lanes).toEqual(["A", "AAAA"]);
    expect(await timeline.locator(".tl-tick").count()).toBe(490);
    expect(await timeline.locator(".tl-fail").count()).toBe(10);
    const titles = await timeline.locator(".tl-tick title").allTextContents();
    expect(titles.some((t) => t.includes("user agent router-498/1.0") && t.includes("client 81.2.69."))).toBe(
      true,
    );
    // The latest A value is labelled in the "now" column however short its band is.
    const lastA =
      f.history.filter((e) => e.type === "A" && e.newValues !== null).at(-1)?.newValues?.[0] ?? "";
    expect(await timeline.locator(".tl-label").allTextContents()).toContain(lastA);
    // Labels never overflow their band: each label's box is inside its band's rect.
    let overflow = 0;
    for (const band of await timeline.locator(".tl-band:has(text)").all()) {
      const t = await band.locator("text").boundingBox();
      const r = await band.locator("rect").boundingBox();
      if (t === null || r === null || t.x + t.width > r.x + r.width + 0.5) overflow++;
    }
    expect(overflow).toBe(0);
    // A refused entry is marked refused with its reason and what was asked, never drawn as a deletion.
    const refused = await timeline.locator(".tl-fail title").allTextContents();
    expect(refused[0]).toMatch(
      /^refused: .*ip_not_global\nasked 10\.0\.0\.49, not applied; kept 81\.2\.69\.0/s,
    );
    const rows = page.locator(".history-box tbody tr");
    expect(await rows.count()).toBe(50);
    expect(await rows.first().locator(".user-agent").textContent()).toBe("router-499/1.0");
    expect(await rows.first().locator(".change").textContent()).toBe(
      "asked 10.0.0.499, not applied; kept 81.2.69.2",
    );
    expect(await rows.first().locator(".badge").textContent()).toBe("refused: ip_not_global");
    expect(await rows.first().locator(".repeat").textContent()).toMatch(/^×12, last at /);
    expect(await rows.nth(1).locator(".change").textContent()).toBe("81.2.69.1 → 81.2.69.2");
    await page.getByRole("button", { name: "Show 50 more" }).click();
    expect(await rows.count()).toBe(100);
  });

  it("an abuse-flagged host: a badge in the list, a notice with its reason on its page, cleared with CSRF", async () => {
    f.zones = ["dyn.example.com"];
    f.hosts = ["home.dyn.example.com", "nas.dyn.example.com"];
    const reason = "no-change updates beyond 150/7d";
    f.abuse.set("home.dyn.example.com", { flaggedAt: new Date().toISOString(), reason });
    await signIn();
    const rows = page.locator(".zone-hosts tbody tr");
    await rows.first().waitFor();
    expect(await rows.locator(".badge").allTextContents()).toEqual(["abuse"]);
    expect(await rows.filter({ hasText: "home.dyn.example.com" }).locator(".badge").count()).toBe(1);
    await page.goto(`${server.url}/admin/#/hosts/home.dyn.example.com`);
    const notice = page.locator(".flag-slot .note");
    await notice.waitFor();
    expect(await notice.textContent()).toContain(reason);
    await page.getByRole("button", { name: "Clear the flag" }).click();
    await notice.waitFor({ state: "detached" });
    expect(f.changes).toContainEqual({
      method: "DELETE",
      path: "/api/v1/admin/hosts/home.dyn.example.com/abuse",
      csrf: CSRF,
    });
    expect(f.abuse.size).toBe(0);
    expect(consoleErrors).toEqual([]);
  });

  it("a host with an AWS-sample credential: its page says so, with the weakness", async () => {
    f.zones = ["dyn.example.com"];
    f.hosts = ["home.dyn.example.com"];
    f.sample = new Set(["home.dyn.example.com"]);
    await signIn();
    await page.goto(`${server.url}/admin/#/hosts/home.dyn.example.com`);
    const notice = page.locator(".sample-slot .note");
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/AWS-sample credential: yes.*never used.*Replayable hash\./);
    expect(consoleErrors).toEqual([]);
  });

  it("an expired session sends the person back to sign-in with a note, then back where they were", async () => {
    f.zones = ["dyn.example.com"];
    await signIn();
    // The hosts page's own requests must have been answered first: one that reached the API after
    // the expiry would sign the page out before the click below (and the Zones link would be hidden).
    await page.waitForLoadState("networkidle");
    f.expired = true;
    await page.getByRole("link", { name: "Zones" }).click();
    await expect.poll(() => page.locator(".note.warn").textContent()).toContain("session expired");
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Zones", exact: true }).waitFor();
    expect(new URL(page.url()).hash).toBe("#/zones");
  });

  it("change password: mismatched or wrong current passwords say so; a right one is confirmed", async () => {
    await signIn();
    await page.getByRole("link", { name: "admin" }).click();
    await page.getByRole("heading", { name: "Account: admin" }).waitFor();
    await page.getByLabel("Current password").fill("not it at all");
    await page.getByLabel("New password", { exact: true }).fill("a new long password");
    await page.getByLabel("New password again").fill("a new long passwort");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator(".note.error").textContent()).toContain("differ");
    await page.getByLabel("New password again").fill("a new long password");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator(".note.error").textContent()).toContain("current password is wrong");
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator(".note.ok").textContent()).toContain("Password changed");
  });

  it("server rates are drawn as SVG charts; sign out returns to sign-in", async () => {
    await signIn();
    await page.getByRole("link", { name: "Server" }).click();
    await page.locator("svg.rate-chart").first().waitFor();
    expect(await page.locator("svg.rate-chart").count()).toBe(2);
    // 10 s samples: the last 10 minutes by default, the whole hour on request.
    expect(await page.locator(".updates .rc-bar").count()).toBe(59);
    await page.getByRole("button", { name: "1 hour" }).click();
    expect(await page.locator(".updates .rc-bar").count()).toBe(359);
    expect(await page.getByRole("button", { name: "1 hour" }).getAttribute("aria-pressed")).toBe("true");
    expect(await page.locator(".totals").textContent()).toContain("56,789");
    // The certificate served and the ACME renewal state, with the failing orders' last error.
    expect(await page.locator(".tls").textContent()).toContain("HTTPS certificate for dyn.example.com");
    expect(await page.locator(".acme").textContent()).toContain("Last 2 order(s) failed: rateLimited");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Beacon" }).waitFor();
    expect(f.signedIn).toBe(false);
  });

  it("rotate asks before acting, on the tokens page and on a host's page, like revoke", async () => {
    f.zones = ["dyn.example.com"];
    f.hosts = ["home.dyn.example.com"];
    await signIn();
    const rotations = () => f.changes.filter((c) => c.path.endsWith("/rotate")).length;
    for (const [hash, heading] of [
      ["#/tokens", "Tokens"],
      ["#/hosts/home.dyn.example.com", "home.dyn.example.com"],
    ] as const) {
      await page.goto(`${server.url}/admin/${hash}`);
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
      const before = rotations();
      await page.getByRole("button", { name: "Rotate", exact: true }).click();
      const armed = page.getByRole("button", { name: "Really rotate? The old token stops working" });
      await armed.waitFor({ timeout: 5_000 });
      expect(rotations(), hash).toBe(before); // one click only asks
      expect(await page.getByRole("button", { name: "Really revoke?" }).count()).toBe(0);
      await armed.click();
      await expect.poll(rotations).toBe(before + 1);
      await page.locator("pre", { hasText: SECRET }).first().waitFor();
    }
    expect(consoleErrors).toEqual([]);
  });

  it("at 360 px the navigation reaches every page, the account page included", async () => {
    f.zones = ["dyn.example.com"];
    await page.setViewportSize({ width: 360, height: 700 });
    await signIn();
    for (const [link, heading] of [
      ["Zones", "Zones"],
      ["Tokens", "Tokens"],
      ["TSIG keys", "TSIG keys"],
      ["Mirrors", "Mirrors"],
      ["Server", "Server"],
      ["Hosts", "Hosts"],
      ["admin", "Account: admin"],
    ]) {
      const a = page.getByRole("link", { name: link, exact: true });
      expect(await a.isVisible(), link).toBe(true);
      const box = await a.boundingBox();
      expect(box !== null && box.x >= 0 && box.x + box.width <= 360, link).toBe(true);
      await a.click();
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
    }
    expect(new URL(page.url()).hash).toBe("#/account");
    expect(Number(await page.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(360);
  });

  it("at 360 px the pages do not scroll sideways; the whole page loads in under 200 KB", async () => {
    f.zones = ["dyn.example.com"];
    f.hosts = ["home.dyn.example.com"];
    let bytes = 0;
    let files = 0;
    page.on("response", (r) => {
      if (!/^\/(admin|shared)\//.test(new URL(r.url()).pathname)) return;
      files++;
      void r
        .body()
        .then((b) => (bytes += b.length))
        .catch(() => undefined);
    });
    await page.setViewportSize({ width: 360, height: 700 });
    await signIn();
    await page.waitForLoadState("networkidle");
    // One load of the console: index.html and every module and style sheet it pulls in.
    await expect.poll(() => files).toBeGreaterThan(15);
    await expect.poll(() => bytes).toBeGreaterThan(20_000);
    expect(bytes).toBeLessThan(200_000);
    for (const hash of ["#/hosts", "#/zones", "#/server", "#/hosts/home.dyn.example.com"]) {
      await page.goto(`${server.url}/admin/${hash}`);
      await page.locator("h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      const wide = Number(await page.evaluate("document.documentElement.scrollWidth"));
      expect(wide, hash).toBeLessThanOrEqual(360);
    }
    expect(consoleErrors).toEqual([]);
    expect(notFound).toEqual([]);
  });
});
