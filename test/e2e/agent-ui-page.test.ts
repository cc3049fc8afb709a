// The agent page (web/agent) in Chromium against a canned agent API that follows docs/agent/ui.md:
// fast, no agent process, and it reaches answers a real agent gives only rarely (409 conflict, 429).
// The real agent end to end is agent-ui.test.ts.

import { createHash } from "node:crypto";
import { Hono } from "hono";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serveFetch, type TestServer } from "../../src/agent/targets/testing/serve.js";
import { webAssets } from "../../src/cli/web-assets.js";
import { PAGE_HEADERS, registerPages } from "../../src/http/pages/assets.js";
import { chromiumAvailable, launchChromium } from "./support/browser.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const CSRF = "csrf-canned-0123456789";
const PASSWORD = "correct horse battery";
const SETUP_CODE = "7K2M-9QXD-AAAA-BBBB-CCCC-DDDD";
const BY_HAND =
  "create a hash with `beacon agent password`, put it under status.password_hash and restart the agent";
const CARET = "document.querySelector('#config-yaml').selectionStart";

const YAML = [
  "interval: 5m",
  "sources:",
  "  echo0: { type: http, url: 'http://127.0.0.1:1/', operator: op0 }",
  "  pin: { type: static, address: 81.2.69.50 }",
  "targets:",
  "  home: { type: beacon, url: 'http://127.0.0.1:2', token_file: /etc/beacon/token }",
  "records:",
  "  - { name: home.dyn.beacon.test, type: A, target: home, sources: [echo0, pin], quorum: 2 }",
  "",
].join("\n");

const problem = (status: number, code: string, detail: string) =>
  new Response(JSON.stringify({ type: "about:blank", title: code, status, code, detail }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

/** Canned state the tests steer. */
interface Fake {
  /** undefined: no password yet (loopback: read-only, setup by code). */
  password: string | undefined;
  signedIn: boolean;
  /** What GET /api/session says about setup while there is no password. */
  setup: { possible: true; file: string } | { possible: false; detail: string };
  /** The agent cannot write its file: setup answers 409 setup_unavailable. */
  readOnlyFile: boolean;
  /** Every POST /api/setup body, and every request refused for want of a password. */
  setups: { code: string; password: string }[];
  refusedChanges: string[];
  wrongAttempts: number;
  disk: string;
  statusCalls: number;
  /** How many records the status lists (more than one screen: the scroll position must survive a refresh). */
  records: number;
  checkNowCalls: number;
  puts: { yaml: string; expectedHash?: string; csrf: string | null }[];
  published: string;
}

function fakeAgent(f: Fake): Hono {
  const app = new Hono();
  registerPages(app, webAssets, "agent");
  app.get("/", async (c) => {
    const body = await webAssets("agent/index.html");
    return body === undefined
      ? c.notFound()
      : c.body(body as Uint8Array<ArrayBuffer>, 200, {
          ...PAGE_HEADERS,
          "content-type": "text/html; charset=utf-8",
        });
  });
  const signedIn = () => ({ authenticated: true, passwordRequired: true, csrfToken: CSRF, expiresAt: null });
  app.get("/api/session", (c) =>
    f.signedIn
      ? c.json(signedIn())
      : f.password === undefined
        ? c.json({ authenticated: false, passwordRequired: true, setup: f.setup })
        : c.json({ authenticated: false, passwordRequired: true }),
  );
  app.post("/api/setup", async (c) => {
    const body = await c.req.json<{ code: string; password: string }>();
    f.setups.push(body);
    if (f.password !== undefined) return problem(409, "setup_done", "a password is set for this page");
    if (!f.setup.possible) return problem(409, "setup_unavailable", f.setup.detail);
    if (body.code !== SETUP_CODE) return problem(401, "setup_code_invalid", "wrong setup code");
    if (body.password.length < 10) return problem(400, "weak_password", "at least 10 characters");
    if (f.readOnlyFile)
      return problem(
        409,
        "setup_unavailable",
        `the agent may not write /etc/beacon/agent.yaml (EROFS); nothing was changed: ${BY_HAND}`,
      );
    f.password = body.password;
    f.signedIn = true;
    return c.json(signedIn(), 201);
  });
  app.post("/api/session", async (c) => {
    const { password } = await c.req.json<{ password: string }>();
    if (f.wrongAttempts >= 2)
      return new Response(problem(429, "too_many_attempts", "slow down").body, {
        status: 429,
        headers: { "content-type": "application/problem+json", "retry-after": "30" },
      });
    if (password !== f.password) {
      f.wrongAttempts++;
      return problem(401, "unauthorized", "wrong password");
    }
    f.signedIn = true;
    return c.json({ csrfToken: CSRF, expiresAt: null });
  });
  app.use("/api/*", async (c, next) => {
    if (f.signedIn || c.req.path === "/api/session") return next();
    if (f.password !== undefined) return problem(401, "unauthorized", "sign in");
    if (c.req.method === "GET" && c.req.path === "/api/status") return next();
    f.refusedChanges.push(`${c.req.method} ${c.req.path}`);
    return problem(401, "setup_required", "set a password first");
  });
  app.get("/api/status", (c) => {
    f.statusCalls++;
    const now = Date.now();
    return c.json({
      version: "0.1.0",
      configFile: "/etc/beacon/agent.yaml",
      intervalSeconds: 300,
      records: Array.from({ length: f.records }, (_, i) => ({
        fqdn: i === 0 ? "home.dyn.beacon.test" : `r${i}.dyn.beacon.test`,
        type: "A",
        target: "home",
        outcome: "unchanged",
        healthy: true,
        detail: `refresh ${f.statusCalls}`,
        published: [f.published],
        publishedAt: new Date(now - 3_600_000).toISOString(),
        lastRunAt: new Date(now).toISOString(),
        lastSuccessAt: new Date(now).toISOString(),
        nextRunAt: new Date(now + 300_000).toISOString(),
        failuresTotal: 1,
        verdict: {
          status: "agreed",
          votes: 2,
          quorum: 2,
          addresses: [f.published],
          sources: [
            {
              id: "echo0",
              operator: "op0",
              address: f.published,
              accepted: true,
              rejection: null,
              detail: `reported ${f.published}`,
              elapsedMs: 12,
            },
            {
              id: "pin",
              operator: "static",
              address: f.published,
              accepted: true,
              rejection: null,
              detail: `reported ${f.published}`,
              elapsedMs: 0,
            },
            {
              id: "liar",
              operator: "op9",
              address: "192.168.1.20",
              accepted: false,
              rejection: "not_global",
              detail: "192.168.1.20 is not a global address",
              elapsedMs: 7,
            },
          ],
        },
      })),
    });
  });
  app.post("/api/check-now", (c) => {
    f.checkNowCalls++;
    return c.json({}, 202);
  });
  app.get("/api/config", (c) =>
    c.json({ file: "/etc/beacon/agent.yaml", yaml: f.disk, writable: true, hash: sha(f.disk) }),
  );
  app.post("/api/config/check", async (c) => {
    const { yaml } = await c.req.json<{ yaml: string }>();
    const lines = yaml.split("\n");
    const bad = lines.findIndex((l) => l.includes("type: bogus"));
    if (bad >= 0) {
      const column = (lines[bad] ?? "").indexOf("type") + 1;
      return c.json({
        ok: false,
        dryRun: null,
        issues: [{ path: "sources.pin.type", line: bad + 1, column, message: 'unknown source type "bogus"' }],
      });
    }
    const address = /address: ([0-9.]+)/.exec(yaml)?.[1] ?? "none";
    const command = yaml.includes("type: command");
    const sources = [
      {
        id: "echo0",
        operator: "op0",
        address: f.published,
        accepted: false,
        rejection: "disagrees",
        detail: `reported ${f.published}`,
        elapsedMs: 9,
      },
      {
        id: "pin",
        operator: "static",
        address,
        accepted: true,
        rejection: null,
        detail: `reported ${address}`,
        elapsedMs: 0,
      },
      ...(command
        ? [
            {
              id: "script",
              operator: "command",
              address: null,
              accepted: false,
              rejection: "not_run",
              detail: "not_run: not run in a check: it runs a program",
              elapsedMs: 0,
            },
          ]
        : []),
    ];
    return c.json({
      ok: true,
      issues: [],
      dryRun: {
        notifiers: command
          ? [{ id: "hook", type: "exec", state: "not_run", detail: "not run in a check: it runs a program" }]
          : [],
        records: [
          {
            fqdn: "home.dyn.beacon.test",
            type: "A",
            target: "home",
            verdict: {
              status: address === f.published ? "agreed" : "disagreed",
              votes: 1,
              quorum: 2,
              addresses: [f.published, address],
              sources,
            },
            wouldPublish: address === f.published ? [address] : null,
            current: [f.published],
            detail: "",
          },
        ],
      },
    });
  });
  app.put("/api/config", async (c) => {
    const body = await c.req.json<{ yaml: string; expectedHash?: string }>();
    f.puts.push({ ...body, csrf: c.req.header("x-csrf-token") ?? null });
    if (body.expectedHash !== sha(f.disk)) return problem(409, "config_changed", "the file changed on disk");
    f.disk = body.yaml;
    return c.json({ saved: true, file: "/etc/beacon/agent.yaml", records: 1 });
  });
  return app;
}

describe.skipIf(!chromiumAvailable())("agent page against a canned API", () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;
  /** What every test starts from: signed in with a password, one record, the file as written. */
  const fresh = () => ({
    records: 1,
    password: PASSWORD as string | undefined,
    signedIn: true,
    setup: { possible: true, file: "/etc/beacon/agent.yaml" } as Fake["setup"],
    readOnlyFile: false,
    setups: [],
    refusedChanges: [],
    wrongAttempts: 0,
    disk: YAML,
    puts: [],
  });
  const f: Fake = { ...fresh(), statusCalls: 0, checkNowCalls: 0, published: "81.2.69.50" };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await serveFetch(fakeAgent(f).fetch);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    Object.assign(f, fresh());
    pageErrors.length = 0;
    page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      // Refusals the page expects (a wrong setup code's 401) are logged by Chromium too; script
      // errors and CSP violations are what must not happen.
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(m.text());
    });
  });

  afterEach(async () => {
    await page.close();
  });

  it("shows every source's answer, the verdict, and refreshes in place", async () => {
    let bytes = 0;
    page.on("response", (r) => {
      if (!r.url().includes("/api/"))
        void r
          .body()
          .then((b) => (bytes += b.length))
          .catch(() => undefined);
    });
    await page.goto(server.url);
    const card = page.locator('section.record[data-record="home.dyn.beacon.test/A/home"]');
    await card.locator('[data-verdict="agreed"]').waitFor();
    expect(await card.locator(".votes").textContent()).toBe("2/2");
    expect(await card.locator('tr[data-source="liar"]').textContent()).toContain("rejected: not_global");
    expect(await card.locator('tr[data-source="echo0"]').textContent()).toContain("accepted");
    expect(await page.locator("tr[data-record] td.published").first().textContent()).toContain("81.2.69.50");
    // Several screens of records, read from the middle: the refresh must not move the page.
    f.records = 8;
    await page.reload();
    await page.locator('section.record[data-record="r7.dyn.beacon.test/A/home"]').waitFor();
    await page.evaluate("window.scrollTo(0, 600)");
    const first = f.statusCalls;
    // The 5 s refresh replaces the row in place: its detail carries the fake's call counter.
    await expect
      .poll(() => page.locator("tr[data-record] .detail").first().textContent(), { timeout: 12_000 })
      .not.toBe(`refresh ${first}`);
    expect(f.statusCalls).toBeGreaterThan(first);
    expect(await page.evaluate<number>("window.scrollY")).toBe(600);
    await page.click("#check-now");
    await expect.poll(() => f.checkNowCalls).toBe(1);
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThan(200_000);
    expect(pageErrors).toEqual([]);
  });

  it("checks, points at a problem's line, dry-runs and saves with expectedHash", async () => {
    await page.goto(`${server.url}/#config`);
    const ta = page.locator("#config-yaml");
    await expect.poll(() => ta.inputValue()).toBe(YAML);
    await ta.fill(YAML.replace("type: static", "type: bogus"));
    await page.click("#config-check");
    const where = page.locator("#config-issues button.where");
    expect(await where.textContent()).toBe("line 4:10");
    expect(await page.locator(".gutter .bad").textContent()).toBe("4");
    await where.click();
    const caret = await page.evaluate<number>(CARET);
    const text = await ta.inputValue();
    expect(text.slice(0, caret).split("\n").length).toBe(4);
    expect(text.slice(caret).startsWith("type: bogus")).toBe(true);

    await ta.fill(YAML.replace("address: 81.2.69.50", "address: 81.2.69.99"));
    await page.click("#config-check");
    const dry = page.locator("#dry-run section.record");
    expect(await dry.locator(".verdict").getAttribute("data-verdict")).toBe("disagreed");
    expect(await dry.locator('tr[data-source="pin"]').textContent()).toContain("81.2.69.99");
    expect(await dry.locator(".would-publish").textContent()).toBe("none");

    await ta.fill(YAML.replace("interval: 5m", "interval: 2m"));
    await page.click("#config-check");
    expect(await page.locator("#dry-run .would-publish").textContent()).toBe("81.2.69.50");
    await page.click("#config-save");
    await page.locator("#banner-note").waitFor();
    expect(await page.locator("#banner-note").textContent()).toContain("Saved");
    await page.locator("section.record").waitFor();
    expect(page.url()).toMatch(/#status$/);
    expect(f.puts).toEqual([
      { yaml: YAML.replace("interval: 5m", "interval: 2m"), expectedHash: sha(YAML), csrf: CSRF },
    ]);
    expect(f.disk).toContain("interval: 2m");
    expect(pageErrors).toEqual([]);
  });

  it("offers to reload when the file changed on disk (409 config_changed)", async () => {
    await page.goto(`${server.url}/#config`);
    const ta = page.locator("#config-yaml");
    await expect.poll(() => ta.inputValue()).toBe(YAML);
    f.disk = `${YAML}# edited elsewhere\n`;
    await ta.fill(`${YAML}# mine\n`);
    await page.click("#config-save");
    await page.locator("#config-conflict").waitFor();
    expect(f.disk).toContain("edited elsewhere");
    await page.click("#config-load-disk");
    await expect.poll(() => ta.inputValue()).toContain("edited elsewhere");
    expect(await page.locator("#config-dirty").isHidden()).toBe(true);
  });

  it("asks for the password: wrong → error, too many → wait time, right → status", async () => {
    f.signedIn = false;
    await page.goto(server.url);
    await page.locator("#password").waitFor();
    expect(await page.locator("#nav").isHidden()).toBe(true);
    await page.fill("#password", "nope nope nope");
    await page.click("#sign-in");
    await expect.poll(() => page.locator("#login-error").textContent()).toBe("Wrong password.");
    expect(await page.locator("#password").inputValue()).toBe("");
    await page.fill("#password", "still wrong!!");
    await page.click("#sign-in");
    await expect.poll(() => f.wrongAttempts).toBe(2);
    await page.fill("#password", "correct horse battery");
    await page.click("#sign-in");
    await expect.poll(() => page.locator("#login-error").textContent()).toContain("Try again in 30 s");
    f.wrongAttempts = 0;
    await page.click("#sign-in"); // the field was cleared: nothing is sent
    expect(await page.locator("#login-error").textContent()).toBe("Enter the password.");
    await page.fill("#password", "correct horse battery");
    await page.click("#sign-in");
    await page.locator("section.record").waitFor();
    expect(await page.locator("#sign-out").isVisible()).toBe(true);
  });

  it("brings the password form back when the session ends, keeping unsaved edits", async () => {
    await page.goto(`${server.url}/#config`);
    const ta = page.locator("#config-yaml");
    await expect.poll(() => ta.inputValue()).toBe(YAML);
    await ta.fill(`${YAML}# my edit\n`);
    f.signedIn = false; // the session expired on the agent
    await page.click("#config-check");
    await page.locator("#password").waitFor();
    expect(await page.locator(".login .note.warn").textContent()).toContain("session ended");
    await page.fill("#password", "correct horse battery");
    await page.click("#sign-in");
    await expect.poll(() => ta.inputValue()).toBe(`${YAML}# my edit\n`);
    expect(await page.locator("#config-dirty").isVisible()).toBe(true);
  });

  it("without a password: read-only status, then the setup code and a password sign the page in", async () => {
    Object.assign(f, { password: undefined, signedIn: false, readOnlyFile: true });
    await page.goto(server.url);
    await page.locator('section.record[data-record="home.dyn.beacon.test/A/home"]').waitFor();
    // Read-only: no Check now, no Configuration, no Sign out; a way to set a password instead.
    expect(await page.locator("#check-now").count()).toBe(0);
    expect(await page.locator("#nav-config").isVisible()).toBe(false);
    expect(await page.locator("#sign-out").isVisible()).toBe(false);
    await page.goto(`${server.url}/#config`); // a bookmarked configuration view asks for the setup instead
    await page.locator("#setup-code").waitFor();
    expect(await page.locator("#config-yaml").count()).toBe(0);
    expect(await page.locator("#setup").textContent()).toContain("/etc/beacon/agent.yaml");

    const submit = async (code: string, password: string, again = password) => {
      await page.fill("#setup-code", code);
      await page.fill("#setup-password", password);
      await page.fill("#setup-again", again);
      await page.click("#setup-submit");
    };
    const error = () => page.locator("#setup-error").textContent();
    await submit(SETUP_CODE, PASSWORD, `${PASSWORD}!`);
    await expect.poll(error).toContain("differ");
    await submit(SETUP_CODE, "short");
    await expect.poll(error).toContain("at least 10");
    expect(f.setups).toEqual([]); // both caught before anything was sent
    await submit("WRONG-CODE", PASSWORD);
    await expect.poll(error).toContain("setup code is wrong");
    await submit(SETUP_CODE, PASSWORD); // the agent may not write its file
    await expect.poll(error).toContain("EROFS");
    expect(await page.locator("#setup-error").textContent()).toContain("beacon agent password");
    f.readOnlyFile = false;
    await page.click("#setup-submit");
    await page.locator("#check-now").waitFor();
    expect(await page.locator("#banner-note").textContent()).toContain("Password set");
    expect(await page.locator("#sign-out").isVisible()).toBe(true);
    expect(f.setups.map((b) => b.code)).toEqual(["WRONG-CODE", SETUP_CODE, SETUP_CODE]);
    expect(f.refusedChanges).toEqual([]); // the read-only page never tried a change
    await page.click("#nav-config");
    await expect.poll(() => page.locator("#config-yaml").inputValue()).toBe(YAML);
    expect(pageErrors).toEqual([]);
  });

  it("without a file to store a password in, the page says why and how to set one by hand", async () => {
    Object.assign(f, {
      password: undefined,
      signedIn: false,
      setup: { possible: false, detail: `the agent runs without a configuration file: ${BY_HAND}` },
    });
    await page.goto(`${server.url}/#setup`);
    const why = page.locator("#setup-unavailable");
    await why.waitFor();
    expect(await why.textContent()).toContain("without a configuration file");
    expect(await page.locator("#setup").textContent()).toContain("beacon agent password");
    expect(await page.locator("#setup-code").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it("a check shows a command source and an exec hook as 'not run in a check', not as failures", async () => {
    await page.goto(`${server.url}/#config`);
    const ta = page.locator("#config-yaml");
    await expect.poll(() => ta.inputValue()).toBe(YAML);
    await ta.fill(
      `${YAML.replace("sources:", "sources:\n  script: { type: command, argv: [/usr/local/bin/ip] }")}`,
    );
    await page.click("#config-check");
    const row = page.locator('#dry-run tr[data-source="script"]');
    await row.waitFor();
    expect(await row.getAttribute("class")).toBe("not-run");
    expect(await row.locator(".badge").textContent()).toBe("not run in a check");
    expect(await row.locator(".badge.error").count()).toBe(0);
    expect(await page.locator('#dry-run-notifiers [data-notifier="hook"]').textContent()).toContain(
      "not run in a check",
    );
    expect(pageErrors).toEqual([]);
  });
});
