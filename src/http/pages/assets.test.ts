import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { webAssets } from "../../cli/web-assets.js";
import { assetPath, registerPages, type AssetReader } from "./assets.js";

describe("assetPath", () => {
  it.each([
    ["", "admin/index.html"],
    ["/", "admin/index.html"],
    ["/app.js", "admin/app.js"],
    ["/views/hosts.js", "admin/views/hosts.js"],
    ["/style.css", "admin/style.css"],
  ])("%j → %s", (rest, expected) => {
    expect(assetPath("admin", rest)).toBe(expected);
  });

  it.each([
    "/../cli/main.js",
    "/..%2fcli/main.js",
    "/%2e%2e/x.js",
    "/.env",
    "/a/../../b.js",
    "/app.js/",
    "/app.exe",
    "/APP.JS",
    "//etc/passwd.js",
    "/a\\b.js",
    "/app.js?x",
    "/app",
    "/ a.js",
  ])("refuses %j", (rest) => {
    expect(assetPath("admin", rest)).toBeUndefined();
  });
});

describe("registerPages", () => {
  const files: Record<string, string> = {
    "admin/index.html": "<!doctype html><title>x</title>",
    "admin/app.js": "export {};",
    "shared/api.js": "export {};",
  };
  const read: AssetReader = (p) =>
    Promise.resolve(files[p] === undefined ? undefined : new TextEncoder().encode(files[p]));
  const app = new Hono();
  registerPages(app, read, "admin");
  app.notFound((c) => c.text("nope", 404));

  it("serves files with their type and the page headers", async () => {
    const page = await app.request("/admin/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(await page.text()).toContain("<title>x</title>");
    const js = await app.request("/shared/api.js");
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("redirects the bare folder and falls through for unknown or refused paths", async () => {
    const bare = await app.request("/admin");
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/admin/");
    expect((await app.request("/admin/missing.js")).status).toBe(404);
    expect((await app.request("/admin/..%2f..%2fpackage.json")).status).toBe(404);
    expect((await app.request("/shared/../admin/app.js")).status).not.toBe(500);
  });

  it("reads web/ from disk and finds nothing outside it", async () => {
    expect(await webAssets("shared/api.js")).toBeInstanceOf(Uint8Array);
    expect(await webAssets("shared/none.js")).toBeUndefined();
  });
});
