import { Hono } from "hono";
import { it, expect } from "vitest";
import { serveFetch } from "../../src/agent/targets/testing/serve.js";
import { webAssets } from "../../src/cli/web-assets.js";
import { registerPages } from "../../src/http/pages/assets.js";
import { adminHarness } from "../../src/http/routes/admin/testing.js";
import { launchChromium } from "./support/browser.js";

it("scratch: pages against B's real admin routes", async () => {
  const hn = await adminHarness();
  const app = new Hono();
  registerPages(app, webAssets, "admin");
  const sess = { user: { name: "admin" }, csrfToken: "x", expiresAt: new Date().toISOString() };
  app.get("/api/v1/setup", (c) => c.json({ required: false }));
  app.get("/api/v1/session", (c) => c.json(sess));
  app.all("/api/v1/admin/*", async (c) => {
    const raw = c.req.method === "GET" || c.req.method === "DELETE" ? undefined : await c.req.text();
    const url = new URL(c.req.url);
    return hn.api(url.pathname.slice("/api/v1/admin".length) + url.search, { method: c.req.method, ...(raw ? { raw } : {}) });
  });
  const server = await serveFetch(app.fetch);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  page.setDefaultTimeout(5000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load")) errors.push(m.text()); });
  try {
    await page.goto(`${server.url}/admin/#/hosts`);
    await page.getByRole("heading", { name: "Hosts", exact: true }).waitFor();
    await page.getByText("Create a host").click();
    await page.getByLabel("Host name").fill("nas");
    await page.getByRole("button", { name: "Create host" }).click();
    await page.getByRole("region", { name: "Token for nas.example.com" }).waitFor();
    await page.screenshot({ path: "/tmp/shots/r-created.png", fullPage: true });
    await page.getByRole("button", { name: /Done/ }).click();
    await page.goto(`${server.url}/admin/#/hosts/nas.example.com`);
    await page.getByText("Edit records").click();
    await page.getByLabel("Values").fill("81.2.69.10");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".tl-label").first().waitFor();
    await page.getByLabel("Values").fill("81.2.69.11");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator(".tl-label").allTextContents()).toContain("81.2.69.11");
    await page.getByRole("button", { name: "Rotate" }).click();
    await page.getByRole("region", { name: "New token for nas.example.com" }).waitFor();
    await page.screenshot({ path: "/tmp/shots/r-host.png", fullPage: true });
    for (const v of ["zones", "tokens", "keys", "mirrors", "server"]) {
      await page.goto(`${server.url}/admin/#/${v}`);
      await page.locator("h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(300);
      const notes = await page.locator(".note.error").allTextContents();
      expect(notes, v).toEqual([]);
      await page.screenshot({ path: `/tmp/shots/r-${v}.png`, fullPage: true });
    }
    // tokens create
    await page.goto(`${server.url}/admin/#/tokens`);
    await page.getByText("Create a token").click();
    await page.getByLabel("Names").fill("*.example.com");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.locator(".secret").waitFor();
    await page.goto(`${server.url}/admin/#/keys`);
    await page.getByText("Create a TSIG key").click();
    await page.getByLabel("Key name").fill("router.example.com");
    await page.getByLabel("Names").fill("home.example.com");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.locator(".secret").waitFor();
    await page.screenshot({ path: `/tmp/shots/r-keys2.png`, fullPage: true });
    await page.goto(`${server.url}/admin/#/mirrors`);
    await page.getByText("Add a mirror").click();
    await page.getByLabel("Mirror id").fill("m1");
    await page.getByLabel("Settings (JSON)").fill('{"api_token":"abc"}');
    await page.getByRole("button", { name: "Add mirror" }).click();
    await page.getByRole("cell", { name: /m1/ }).waitFor();
    await page.screenshot({ path: `/tmp/shots/r-mirrors2.png`, fullPage: true });
    await page.goto(`${server.url}/admin/#/zones`);
    await page.getByRole("button", { name: "Delete" }).first().click();
    await page.getByRole("button", { name: /Really/ }).first().click();
    await page.locator(".note.warn").waitFor();
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${server.url}/admin/#/hosts/nas.example.com`);
    await page.locator(".tl-label").first().waitFor();
    await page.screenshot({ path: `/tmp/shots/r-dark.png`, fullPage: false });
    await page.setViewportSize({ width: 360, height: 700 });
    await page.goto(`${server.url}/admin/#/tokens`);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: `/tmp/shots/r-narrow-tokens.png`, fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    await server.close();
  }
}, 90_000);
