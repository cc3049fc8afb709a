// Two-factor sign-in end to end: the real `beacon serve` (dist/) and Debian's Chromium. The admin turns
// TOTP on from the account page (the test reads the secret from the page and makes codes with otpauth,
// as an authenticator app would), signs out, signs in with password + code, then with a recovery code;
// the same recovery code is refused the second time. `beacon user totp status/reset` close the loop.

import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "./support/browser.js";
import { runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";

const PASSWORD = "a long admin password";

/** The one-time code from the server's JSON log line "first-run setup" (field setupCode). */
function setupCode(log: string): string {
  for (const line of log.split("\n"))
    if (line.includes('"first-run setup"')) return (JSON.parse(line) as { setupCode: string }).setupCode;
  throw new Error(`no setup code in the log:\n${log}`);
}

/** The code of the step `steps` from now, as the phone would show it then. */
const codeOf = (secret: string, steps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });

describe.runIf(chromiumAvailable())("two-factor sign-in end to end (real server, Chromium)", () => {
  const dir = tempDir("beacon-admin-totp-");
  let beacon: Beacon;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    beacon = await startBeacon({ dataDir: dir.path });
    const res = await fetch(`${beacon.url}/api/v1/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: setupCode(beacon.stderr()), username: "admin", password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await beacon?.stop();
    dir.remove();
  });

  async function password(): Promise<void> {
    await page.getByRole("heading", { name: "Sign in to Beacon" }).waitFor();
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  async function code(value: string): Promise<void> {
    await page.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
    await page.getByLabel("Code").fill(value);
    await page.getByRole("button", { name: "Verify" }).click();
  }

  const signedIn = () => page.getByRole("heading", { name: "Hosts", exact: true }).waitFor();

  async function signOut(): Promise<void> {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Beacon" }).waitFor();
  }

  it("enrol on the account page → sign in with a code → with a recovery code, once", async () => {
    await page.goto(`${beacon.url}/admin/`);
    await password();
    await signedIn();

    // Enrolment: the secret and its URI on the page, a current code turns it on.
    await page.goto(`${beacon.url}/admin/#/account`);
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const secretBlock = page.locator(".copy-block", { hasText: "Secret (base32)" }).locator("pre");
    const secret = ((await secretBlock.textContent()) ?? "").trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri =
      (await page.locator(".copy-block", { hasText: "otpauth URI" }).locator("pre").textContent()) ?? "";
    expect(new URL(uri).searchParams.get("secret")).toBe(secret);
    await page.getByLabel("Current code").fill("000000");
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect.poll(() => page.locator(".note.error").textContent()).toContain("wrong or was already used");
    await page.getByLabel("Current code").fill(codeOf(secret));
    await page.getByRole("button", { name: "Turn on" }).click();
    const codesBlock = page.locator(".copy-block", { hasText: "Recovery codes" }).locator("pre");
    await codesBlock.waitFor();
    const recovery = ((await codesBlock.textContent()) ?? "").trim().split("\n");
    expect(recovery).toHaveLength(10);
    for (const r of recovery) expect(r).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    await page.getByRole("button", { name: "Done: I have copied them" }).click();
    await expect.poll(() => page.getByText("recovery codes left").textContent()).toContain("10 of 10");

    // Password, then a code (the next step's: the enrolment used this one, and codes never repeat).
    await signOut();
    await password();
    await code(codeOf(secret, 1));
    await signedIn();

    // Password, then a recovery code.
    await signOut();
    await password();
    await code(recovery[0]!);
    await signedIn();

    // The same recovery code a second time: refused, still on the code step.
    await signOut();
    await password();
    await code(recovery[0]!);
    await expect.poll(() => page.locator(".note.error").textContent()).toContain("wrong or was already used");
    await code(recovery[1]!.toUpperCase());
    await signedIn();

    // The operator's view, and the reset for a lost phone: the password alone signs in again.
    const status = JSON.parse(
      (await runCli(dir.path, ["user", "totp", "status", "--json"])).stdout,
    ) as unknown;
    expect(status).toEqual([
      { user: "admin", totp: "on", recoveryCodesLeft: 8, enabledAt: expect.any(Number) as number },
    ]);
    expect((await runCli(dir.path, ["user", "totp", "reset", "admin"])).stdout).toContain("removed");
    await signOut();
    await password();
    await signedIn();
  });
});
