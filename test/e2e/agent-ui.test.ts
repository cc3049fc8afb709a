// The agent's local page end to end: the real `beacon agent` (its status listener serves web/agent and
// the JSON API), local echo services as sources, a real `beacon serve` as the target, and Chromium.
// The user sees every source's answer and the verdict (read-only), sets the page's password with the
// code the agent printed, edits a source in the page, checks (dry run), saves, and sees the new
// verdict and the published address. With status.password_hash the page asks for the password first. BEACON_SCREENSHOTS=1 also writes docs/images/agent-{status,config}.png.

import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/services/auth/passwords.js";
import { startAgent, startEcho, type AgentProcess, type EchoServer } from "./support/agent.js";
import { DEMO_ZONE, ROOT, runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { chromiumAvailable, launchChromium } from "./support/browser.js";

const HOST = `home.${DEMO_ZONE}`;
const SHOTS = process.env["BEACON_SCREENSHOTS"] === "1";
const PASSWORD = "a long agent password";
const CARET = "document.querySelector('#config-yaml').selectionStart";

describe.skipIf(!chromiumAvailable())("the agent's page drives the real agent", () => {
  const dir = tempDir("beacon-agent-ui-");
  let beacon: Beacon;
  let agent: AgentProcess;
  let locked: AgentProcess;
  let browser: Browser;
  let page: Page;
  let echoA: EchoServer;
  let echoB: EchoServer;
  let configFile: string;
  const pageErrors: string[] = [];
  let pageBytes = 0;

  beforeAll(async () => {
    const tokens = await seedHosts(dir.path, [HOST]);
    beacon = await startBeacon({ dataDir: dir.path });
    echoA = await startEcho("81.2.69.50\n");
    echoB = await startEcho("81.2.69.77\n");
    const liar = await startEcho("192.168.1.20");
    writeFileSync(join(dir.path, "token"), `${tokens.get(HOST)}\n`, { mode: 0o600 });
    const config = (status: string, state: string) =>
      [
        "# Beacon agent: one home address, confirmed by two independent sources.",
        "interval: 10m",
        "verify_every: 0",
        `state_file: ${join(dir.path, state)}`,
        `status: ${status}`,
        "sources:",
        `  ipv4: { type: http, url: "${echoA.url}", operator: echo-a }`,
        `  router: { type: http, url: "${liar.url}", operator: router }`,
        "  pin: { type: static, address: 81.2.69.50 }",
        "targets:",
        `  home: { type: beacon, url: "${beacon.url}", token_file: "${join(dir.path, "token")}" }`,
        "records:",
        `  - { name: ${HOST}, type: A, target: home, sources: [ipv4, router, pin], quorum: 2 }`,
        "",
      ].join("\n");
    configFile = join(dir.path, "agent.yaml");
    writeFileSync(configFile, config('{ listen: "127.0.0.1:0" }', "state.json"), { mode: 0o640 });
    const hash = await hashPassword(PASSWORD);
    const lockedFile = join(dir.path, "locked.yaml");
    writeFileSync(lockedFile, config(`{ listen: "127.0.0.1:0", password_hash: "${hash}" }`, "locked.json"));
    agent = await startAgent(configFile);
    locked = await startAgent(lockedFile);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      // A refusal the page expects (the wrong setup code's 401) is logged by Chromium too.
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(m.text());
    });
    page.on("response", (r) => {
      if (!new URL(r.url()).pathname.startsWith("/api/"))
        void r
          .body()
          .then((b) => (pageBytes += b.length))
          .catch(() => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await locked?.stop();
    await beacon?.stop("SIGKILL");
    await Promise.all([echoA, echoB].map((e) => e?.close()));
    dir.remove();
  });

  const card = () => page.locator(`section.record[data-record="${HOST}/A/home"]`);

  it("shows every source's answer and the verdict", async () => {
    await page.goto(agent.statusUrl);
    await card().locator('[data-verdict="agreed"]').waitFor({ timeout: 15_000 });
    expect(await card().locator(".votes").textContent()).toBe("2/2");
    expect(await card().locator(".addresses").textContent()).toBe("81.2.69.50");
    const row = (id: string) => card().locator(`tr[data-source="${id}"]`);
    expect(await row("ipv4").textContent()).toContain("81.2.69.50");
    expect(await row("ipv4").getAttribute("class")).toBe("accepted");
    expect(await row("pin").getAttribute("class")).toBe("accepted");
    expect(await row("router").textContent()).toContain("192.168.1.20");
    expect(await row("router").textContent()).toContain("not_global");
    await expect
      .poll(() => page.locator(`tr[data-record="${HOST}/A/home"] td.published`).textContent(), {
        timeout: 15_000,
      })
      .toContain("81.2.69.50");
    expect(pageBytes).toBeGreaterThan(5_000);
    expect(pageBytes).toBeLessThan(200_000);
  });

  it("is read-only until the password is set with the code the agent printed", async () => {
    expect(await page.locator("#check-now").count()).toBe(0);
    expect(await page.locator("#nav-config").isVisible()).toBe(false);
    await page.click("#read-only");
    await page.locator("#setup-code").waitFor();
    await expect.poll(() => agent.setupCode()).toBeDefined();
    await page.fill("#setup-code", "WRONG-CODE");
    await page.fill("#setup-password", PASSWORD);
    await page.fill("#setup-again", PASSWORD);
    await page.click("#setup-submit");
    await expect.poll(() => page.locator("#setup-error").textContent()).toContain("setup code is wrong");
    expect(readFileSync(configFile, "utf8")).not.toContain("password_hash");
    await page.fill("#setup-code", agent.setupCode() ?? "");
    await page.click("#setup-submit");
    await page.locator("#check-now").waitFor({ timeout: 15_000 });
    expect(readFileSync(configFile, "utf8")).toContain("password_hash:");
    expect(await page.locator("#sign-out").isVisible()).toBe(true);
  });

  it("edits a source, checks (dry run), saves, and shows the new verdict", async () => {
    await page.click("#nav-config");
    const ta = page.locator("#config-yaml");
    await expect.poll(() => ta.inputValue()).toBe(readFileSync(configFile, "utf8"));
    const original = await ta.inputValue();

    // The pinned address alone changes: the sources now disagree, nothing would be published.
    const pinned = original.replace("address: 81.2.69.50", "address: 81.2.69.77");
    await ta.fill(pinned);
    await page.click("#config-check");
    const dry = page.locator(`#dry-run section.record[data-record="${HOST}/A/home"]`);
    await dry.waitFor({ timeout: 15_000 });
    expect(await dry.locator(".verdict").getAttribute("data-verdict")).toBe("disagreed");
    expect(await dry.locator(".would-publish").textContent()).toBe("none");

    // An invalid edit is pointed at: line and column, and the caret goes there.
    const broken = pinned.replace("type: static", "type: bogus");
    await ta.fill(broken);
    await page.click("#config-check");
    const where = page.locator("#config-issues button.where").first();
    await where.waitFor();
    const line = Number(await where.getAttribute("data-line"));
    expect(broken.split("\n")[line - 1]).toContain("bogus");
    await where.click();
    const caret = await page.evaluate<number>(CARET);
    expect(broken.slice(0, caret).split("\n").length).toBe(line);

    // And the http source moves to the other echo service: both agree on the new address.
    const edited = pinned.replace(echoA.url, echoB.url);
    await ta.fill(edited);
    await page.click("#config-check");
    await dry.waitFor({ timeout: 15_000 });
    expect(await dry.locator(".verdict").getAttribute("data-verdict")).toBe("agreed");
    expect(await dry.locator(".would-publish").textContent()).toBe("81.2.69.77");
    expect(await dry.locator('tr[data-source="ipv4"]').textContent()).toContain("81.2.69.77");
    if (SHOTS) await shot("agent-config.png");
    expect(readFileSync(configFile, "utf8")).toBe(original); // a check writes nothing

    await page.click("#config-save");
    await page.locator("#banner-note").waitFor({ timeout: 15_000 });
    expect(await page.locator("#banner-note").textContent()).toContain("Saved");
    expect(readFileSync(configFile, "utf8")).toBe(edited);
    await expect
      .poll(() => card().locator(".addresses").textContent(), { timeout: 20_000 })
      .toBe("81.2.69.77");
    expect(await card().locator(".verdict").getAttribute("data-verdict")).toBe("agreed");
    await expect
      .poll(() => page.locator(`tr[data-record="${HOST}/A/home"] td.published`).textContent(), {
        timeout: 20_000,
      })
      .toContain("81.2.69.77");
    const history = await runCli(dir.path, ["history", HOST, "--json", "--limit", "10"]);
    expect(history.stdout).toContain("81.2.69.77");
    if (SHOTS) await shot("agent-status.png");
    expect(pageErrors).toEqual([]);
  });

  it("asks for the password when status.password_hash is set; a wrong one is refused", async () => {
    const p = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    try {
      await p.goto(locked.statusUrl);
      await p.locator("#password").waitFor();
      expect(await p.locator("section.record").count()).toBe(0);
      await p.fill("#password", "not the password");
      await p.click("#sign-in");
      await expect.poll(() => p.locator("#login-error").textContent()).toBe("Wrong password.");
      await p.fill("#password", PASSWORD);
      await p.click("#sign-in");
      await p.locator(`section.record[data-record="${HOST}/A/home"]`).waitFor({ timeout: 15_000 });
      expect(await p.locator("#sign-out").isVisible()).toBe(true);
    } finally {
      await p.close();
    }
  });

  async function shot(name: string): Promise<void> {
    const out = join(ROOT, "docs/images");
    mkdirSync(out, { recursive: true });
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: join(out, name) });
    expect(statSync(join(out, name)).size).toBeLessThan(150_000);
  }
});
