import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { constantTimeEqual, sameOriginGuard } from "./csrf.js";

describe("constantTimeEqual", () => {
  it.each([
    ["abc", "abc", true],
    ["", "", true],
    ["abc", "abd", false],
    ["abc", "ab", false],
    ["ab", "abc", false],
    ["", "a", false],
    ["\u0000", "", false],
  ])("%j vs %j → %s", (a, b, equal) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
  });
});

describe("sameOriginGuard on any Hono app", () => {
  const app = new Hono();
  app.use(
    "*",
    sameOriginGuard({
      allowedOrigins: () => ["http://127.0.0.1:9876"],
      refuse: (_c, e) => new Response(e.code, { status: e.status }),
    }),
  );
  app.all("/x", (c) => c.text("ok"));
  const send = (method: string, headers: Record<string, string>) =>
    app.request("http://127.0.0.1:9876/x", { method, headers });

  it.each([
    ["POST", {}, 200],
    ["POST", { origin: "http://127.0.0.1:9876" }, 200],
    ["PUT", { origin: "HTTP://127.0.0.1:9876", "sec-fetch-site": "same-origin" }, 200],
    ["POST", { "sec-fetch-site": "none" }, 200],
    ["POST", { origin: "http://localhost:9876" }, 403],
    ["DELETE", { origin: "null" }, 403],
    ["PATCH", { "sec-fetch-site": "cross-site" }, 403],
    ["POST", { "sec-fetch-site": "same-site" }, 403],
    ["GET", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }, 200],
    ["HEAD", { origin: "https://evil.example" }, 200],
  ])("%s with %j → %i", async (method, headers, status) => {
    expect((await send(method, headers)).status).toBe(status);
  });
});
