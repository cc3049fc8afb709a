import { describe, expect, test } from "vitest";
import type { AssetReader } from "../../http/pages/assets.js";
import { usePages } from "./testing/page.js";

const FILES: Record<string, string> = {
  "agent/index.html": "<!doctype html><title>agent</title>",
  "agent/app.js": "export {};",
  "shared/api.js": "export {};",
};
const assets: AssetReader = (path) =>
  Promise.resolve(FILES[path] === undefined ? undefined : new TextEncoder().encode(FILES[path]));

const page = usePages();

describe("the page's files", () => {
  test("GET / is web/agent/index.html with the strict page headers; /agent/* and /shared/* are served", async () => {
    const p = page({ assets });
    const res = await p.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(await res.text()).toContain("<title>agent</title>");
    expect((await p.request("/agent/app.js")).status).toBe(200);
    expect((await p.request("/shared/api.js")).status).toBe(200);
    expect((await p.request("/agent/missing.js")).status).toBe(404);
    expect((await p.request("/agent/..%2f..%2fpackage.json")).status).toBe(404);
  });

  test("with a password the page itself loads without a session (it then asks for the password)", async () => {
    const p = page({ assets, passwordHash: "scrypt$16384$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==" });
    expect((await p.request("/")).status).toBe(200);
    expect((await p.request("/api/status")).status).toBe(401);
  });
});
