// The admin console end to end: the real `beacon serve` (dist/) on port 0 with a fresh data dir,
// Debian's Chromium via playwright-core, and the real `curl` binary sending the update. Walks the
// issue's path: first-run setup (code from the server's log) → sign out → wrong password → sign in →
// create zone and host → token with client configs → curl update → the host's timeline and history.
// BEACON_SCREENSHOTS=1 also writes docs/images/admin-*.png (with the token replaced before the shot).

import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "./support/browser.js";
import { ROOT, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { hasPeer, peerAvailable } from "./support/peers.js";

const run = promisify(execFile);
const SHOTS = process.env["BEACON_SCREENSHOTS"] === "1" ? join(ROOT, "docs/images") : undefined;
const PASSWORD = "a long admin password";
const ZONE = "dyn.beacon.test";
const FQDN = `home.${ZONE}`;
const PLACEHOLDER = "TOKEN-SHOWN-ONCE";

/** The one-time code from the server's JSON log line "first-run setup" (field setupCode). */
function setupCode(log: string): string | undefined {
  for (const line of log.split("\n")) {
    if (!line.includes('"first-run setup"')) continue;
    const code = (JSON.parse(line) as { setupCode?: unknown }).setupCode;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** curl's default User-Agent, "curl/<version>", from `curl --version`. */
async function curlAgent(): Promise<string> {
  const { stdout } = await run("curl", ["--version"]);
  return `curl/${stdout.split(" ")[1] ?? ""}`;
}

/** Replaces every text occurrence of `secret` in the page, so a screenshot never shows it. */
async function hideSecret(page: Page, secret: string): Promise<void> {
  // A string, because this runs in the page (the test's tsconfig has no DOM types).
  const replace = `(([s, p]) => {
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n !== null; n = walk.nextNode())
      if (n.nodeValue.includes(s)) n.nodeValue = n.nodeValue.split(s).join(p);
  })`;
  await page.evaluate(`${replace}(${JSON.stringify([secret, PLACEHOLDER])})`);
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS === undefined) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `admin-${name}.png`) });
}

describe.runIf(chromiumAvailable() && peerAvailable("curl", "curl"))(
  "admin console end to end (real server, Chromium, curl)",
  () => {
    const dir = tempDir("beacon-admin-ui-");
    let beacon: Beacon;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      beacon = await startBeacon({ dataDir: dir.path });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
      // A step that cannot happen fails with its locator named, well inside the test's own limit.
      page.setDefaultTimeout(10_000);
    });
    afterAll(async () => {
      await browser?.close();
      await beacon?.stop();
      dir.remove();
    });

    it("setup → sign-in → create host → curl update → timeline and history show it", async () => {
      const code = setupCode(beacon.stderr());
      expect(
        code,
        `no "first-run setup" line with setupCode in the server log:\n${beacon.stderr()}`,
      ).toBeTruthy();
      expect(code?.length).toBeGreaterThanOrEqual(8);

      // The whole page (HTML + every module and style sheet) in one load, from the network answers.
      let bytes = 0;
      let files = 0;
      const counting = (r: Response) => {
        if (!/^\/(admin|shared)\//.test(new URL(r.url()).pathname)) return;
        files++;
        void r
          .body()
          .then((b) => (bytes += b.length))
          .catch(() => undefined);
      };
      page.on("response", counting);
      await page.goto(`${beacon.url}/admin/`);
      await page.getByRole("heading", { name: "Set up Beacon" }).waitFor();
      await page.waitForLoadState("networkidle");
      page.off("response", counting);
      await expect.poll(() => files).toBeGreaterThan(10);
      expect(bytes).toBeGreaterThan(20_000);
      expect(bytes).toBeLessThan(200_000);
      await shot(page, "setup");

      // First-run setup lands signed in.
      await page.getByLabel("Setup code").fill(code ?? "");
      await page.getByLabel("Admin user name").fill("admin");
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Password again").fill(PASSWORD);
      await page.getByRole("button", { name: "Create admin and sign in" }).click();
      await page.getByRole("heading", { name: "Hosts", exact: true }).waitFor();

      // Sign out; a wrong password is refused with a message; the right one signs in.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to Beacon" }).waitFor();
      await page.getByLabel("User name").fill("admin");
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect
        .poll(() => page.locator(".note.error").textContent())
        .toContain("Wrong user name or password");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Hosts", exact: true }).waitFor();

      // A zone, then a host with its token shown once.
      await page.getByRole("link", { name: "Zones" }).click();
      await page.getByText("Create a zone").click();
      await page.getByLabel("Zone name").fill(ZONE);
      await page.getByRole("button", { name: "Create zone" }).click();
      await page.getByRole("cell", { name: ZONE, exact: true }).waitFor();
      await page.getByRole("link", { name: "Hosts" }).click();
      await page.getByText("Create a host").click();
      await page.getByLabel("Host name").fill("home");
      await page.getByRole("button", { name: "Create host" }).click();
      const panel = page.getByRole("region", { name: `Token for ${FQDN}` });
      await panel.waitFor();
      expect(await panel.getByRole("alert").textContent()).toContain("shown only this once");
      const secret = (await panel.locator("pre").first().textContent()) ?? "";
      expect(secret.length).toBeGreaterThanOrEqual(16);
      await panel.getByRole("tab", { name: "ddclient" }).click();
      const ddclient = (await panel.locator('[role="tabpanel"]:not([hidden]) pre').textContent()) ?? "";
      expect(ddclient).toContain(`login=${FQDN}`);
      expect(ddclient).toContain(secret);
      await panel.getByRole("tab", { name: "curl" }).click();
      const curlText = (await panel.locator('[role="tabpanel"]:not([hidden]) pre').textContent()) ?? "";
      expect(curlText).toContain(secret);
      expect(curlText).toContain(`hostname=${FQDN}`);
      if (SHOTS !== undefined) {
        await hideSecret(page, secret);
        expect(await page.content()).not.toContain(secret);
        await shot(page, "host-created");
      }

      // The real curl sends two updates (the second moves the address and adds IPv6).
      const agent = await curlAgent();
      const update = async (query: string) =>
        (
          await run("curl", [
            "-sS",
            "-u",
            `${FQDN}:${secret}`,
            `${beacon.url}/nic/update?hostname=${FQDN}&${query}`,
          ])
        ).stdout;
      expect(await update("myip=81.2.69.33")).toMatch(/^good 81\.2\.69\.33/);
      expect(await update("myip=81.2.69.34&myipv6=2a02:8070:1234::1")).toMatch(/^good/);
      // A router behind another NAT sends its LAN address: refused, and marked on the timeline.
      expect(await update("myip=192.168.1.20")).toBe("dnserr");
      let current = "81.2.69.34";
      if (SHOTS !== undefined) {
        // For the pictures only: a few more changes, seconds apart, so the timeline shows its bands.
        for (const query of [
          "myip=81.2.69.35",
          "myip=81.2.69.35",
          "myip=81.2.69.36&myipv6=2a02:8070:1234::2",
        ]) {
          await new Promise((r) => setTimeout(r, 3000));
          expect(await update(query)).toMatch(/^(good|nochg)/);
        }
        current = "81.2.69.36";
      }

      // The list shows the new address; the panel's secret is gone once dismissed.
      await panel.getByRole("button", { name: /Done/ }).click();
      await page.getByLabel("Host name").fill("nas"); // the form stays open after a host is created
      await page.getByLabel("Issue an update token for this host").uncheck();
      await page.getByRole("button", { name: "Create host" }).click();
      await page.getByRole("link", { name: `nas.${ZONE}` }).waitFor();
      await page.getByText("Create a host").click(); // folded for the screenshot
      await expect.poll(() => page.locator(".zone-hosts").textContent()).toContain(current);
      expect(await page.content()).not.toContain(secret);
      await shot(page, "hosts");

      // The host: the timeline picture names the address, the client and curl's user agent.
      await page.getByRole("link", { name: FQDN }).click();
      const timeline = page.locator("svg.timeline");
      await timeline.waitFor();
      const labels = await timeline.locator(".tl-label").allTextContents();
      expect(labels).toContain(current);
      const titles = (await timeline.locator("title").allTextContents()).join("\n");
      expect(titles).toContain("81.2.69.33");
      expect(titles).toContain("81.2.69.34");
      expect(titles).toContain("client 127.0.0.1");
      expect(titles).toContain(`user agent ${agent}`);
      expect(await timeline.locator(".tl-type").allTextContents()).toEqual(["A", "AAAA"]);
      const refused = await timeline.locator(".tl-fail title").allTextContents();
      expect(refused).toEqual([expect.stringMatching(/^refused: .*ip_not_global/s)]);
      const rows = page.locator(".history-box tbody tr");
      expect(await rows.count()).toBeGreaterThanOrEqual(3);
      expect(await rows.locator(".client-ip").allTextContents()).toContain("127.0.0.1");
      expect(await rows.locator(".user-agent").allTextContents()).toContain(agent);
      await shot(page, "host");

      // The DNS answers with the new address (dig, when installed), and those queries show in the totals.
      const asked = hasPeer("dig") ? 3 : 0;
      for (let i = 0; i < asked; i++) {
        const answer = await dig(beacon.dnsPort, [FQDN, "A"]);
        expect(answer.answers.join("\n")).toContain(current);
      }

      // Server rates.
      await page.getByRole("link", { name: "Server" }).click();
      await page.locator("svg.rate-chart").first().waitFor();
      expect(await page.locator("svg.rate-chart").count()).toBe(2);
      const totals = async () =>
        (await page.locator(".total-n").allTextContents()).map((t) => Number(t.replace(/\D/g, "")));
      // Totals come from the rate sampler (every 10 s); the page refreshes itself every 10 s.
      await expect
        .poll(totals, { timeout: 25_000, interval: 1000 })
        .toEqual([expect.any(Number), expect.any(Number), 1, 2, 1]); // one zone, two hosts, one token
      await expect
        .poll(async () => (await totals())[0], { timeout: 25_000, interval: 1000 })
        .toBeGreaterThanOrEqual(2); // one host outcome per curl request above
      await expect
        .poll(async () => (await totals())[1], { timeout: 25_000, interval: 1000 })
        .toBeGreaterThanOrEqual(asked);
      await shot(page, "server");

      // The admin changes the password; the next sign-in needs the new one.
      const NEW_PASSWORD = "another long admin password";
      await page.getByRole("link", { name: "admin", exact: true }).click();
      await page.getByLabel("Current password").fill(PASSWORD);
      await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel("New password again").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Change password" }).click();
      await expect.poll(() => page.locator(".note.ok").textContent()).toContain("Password changed");
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("User name").fill("admin");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect
        .poll(() => page.locator(".note.error").textContent())
        .toContain("Wrong user name or password");
      await page.getByLabel("Password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Hosts", exact: true }).waitFor();
    }, 90_000);
  },
);
