import { beforeAll, describe, expect, test } from "vitest";
import { hashPassword } from "../../services/auth/passwords.js";
import { SESSION_COOKIE } from "./auth.js";
import { csrfOf, usePages, type PageHarness } from "./testing/page.js";

const PASSWORD = "page-password-1";
let HASH = "";
beforeAll(async () => {
  HASH = await hashPassword(PASSWORD);
});

const page = usePages();

async function codeOf(res: Response): Promise<[number, string]> {
  return [res.status, ((await res.json()) as { code: string }).code];
}

async function signIn(p: PageHarness, password = PASSWORD, headers: Record<string, string> = {}) {
  const res = await p.request("/api/session", { method: "POST", json: { password }, headers });
  const cookie = /beacon_agent_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  return { res, cookie: cookie === undefined ? undefined : `${SESSION_COOKIE}=${cookie}` };
}

describe("loopback without a password (open)", () => {
  test("session says authenticated, passwordRequired false, with a per-process CSRF token", async () => {
    const p = page();
    const body = (await (await p.request("/api/session")).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ authenticated: true, passwordRequired: false });
    expect(body["csrfToken"]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await csrfOf(p)).toBe(body["csrfToken"]); // stable for the process
    expect(await csrfOf(page())).not.toBe(body["csrfToken"]); // another agent, another token
  });

  test("changes need the token; a wrong one, another origin or a cross-site fetch are refused", async () => {
    const p = page();
    const csrf = await csrfOf(p);
    const post = (headers: Record<string, string>) =>
      p.request("/api/check-now", { method: "POST", headers });
    expect(await codeOf(await post({}))).toEqual([403, "csrf_failed"]);
    expect(await codeOf(await post({ "x-csrf-token": `${csrf}x` }))).toEqual([403, "csrf_failed"]);
    expect(await codeOf(await post({ "x-csrf-token": csrf, origin: "http://evil.example" }))).toEqual([
      403,
      "csrf_failed",
    ]);
    const refused: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" }, // same site, another port: another local web app
      { origin: "http://127.0.0.1:3000" },
      { origin: "null" }, // sandboxed iframe, file://
    ];
    for (const headers of refused)
      expect(await codeOf(await post({ "x-csrf-token": csrf, ...headers }))).toEqual([403, "csrf_failed"]);
    expect(p.calls.runNow).toBe(0);
    expect((await post({ "x-csrf-token": csrf, origin: "http://127.0.0.1:9876" })).status).toBe(202);
    expect((await post({ "x-csrf-token": csrf, origin: "https://127.0.0.1:9876" })).status).toBe(202); // TLS proxy
    expect((await post({ "x-csrf-token": csrf, "sec-fetch-site": "same-origin" })).status).toBe(202);
    expect((await post({ "x-csrf-token": csrf })).status).toBe(202); // curl sends neither
  });

  test("a rebinding Host is refused on the API and the page (403 bad_host)", async () => {
    const p = page();
    for (const path of ["/api/status", "/api/session", "/api/config", "/", "/agent/app.js"]) {
      const res = await p.request(path, { headers: { host: "evil.example:9876" } });
      expect(await codeOf(res)).toEqual([403, "bad_host"]);
    }
  });
});

describe("LAN address without a password (locked)", () => {
  test("the page and every API answer 403 password_required", async () => {
    const p = page({ listenHost: "192.168.1.5", scope: "private" });
    const host = { host: "192.168.1.5:9876" };
    for (const [method, path] of [
      ["GET", "/api/status"],
      ["GET", "/api/session"],
      ["POST", "/api/session"],
      ["GET", "/api/config"],
      ["GET", "/"],
    ] as const) {
      const res = await p.request(path, { method, headers: host });
      expect(await codeOf(res), `${method} ${path}`).toEqual([403, "password_required"]);
    }
  });
});

describe("with status.password_hash", () => {
  test("the API needs a session; GET /api/session says a password is required", async () => {
    const p = page({ passwordHash: HASH });
    expect(await codeOf(await p.request("/api/status"))).toEqual([401, "unauthorized"]);
    expect(await codeOf(await p.request("/api/config"))).toEqual([401, "unauthorized"]);
    expect(await (await p.request("/api/session")).json()).toEqual({
      authenticated: false,
      passwordRequired: true,
    });
  });

  test("sign-in sets an HttpOnly SameSite=Strict cookie; the session opens the API; CSRF still needed", async () => {
    const p = page({ passwordHash: HASH });
    const { res, cookie } = await signIn(p);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/");
    const body = (await res.json()) as { csrfToken: string; expiresAt: string };
    expect(body.expiresAt).toBe(new Date(p.time.clock() + 30 * 60_000).toISOString());
    expect(cookie).toBeDefined();
    const headers = { cookie: cookie ?? "" };
    expect((await p.request("/api/status", { headers })).status).toBe(200);
    expect(await (await p.request("/api/session", { headers })).json()).toMatchObject({
      authenticated: true,
      csrfToken: body.csrfToken,
    });
    expect(await codeOf(await p.request("/api/check-now", { method: "POST", headers }))).toEqual([
      403,
      "csrf_failed",
    ]);
    expect(
      (await p.request("/api/check-now", { method: "POST", headers, csrf: body.csrfToken })).status,
    ).toBe(202);
    // The open mode's token is not a session's.
    expect(
      await codeOf(await p.request("/api/check-now", { method: "POST", headers, csrf: "x".repeat(43) })),
    ).toEqual([403, "csrf_failed"]);
  });

  test("wrong password → 401; the 5th wrong in a row locks: 429 with Retry-After, even with the right one", async () => {
    const p = page({ passwordHash: HASH, clientAddress: "192.168.1.77" });
    for (let i = 0; i < 4; i++)
      expect(await codeOf((await signIn(p, "wrong-password-1")).res)).toEqual([401, "unauthorized"]);
    const fifth = (await signIn(p, "wrong-password-1")).res;
    expect(await codeOf(fifth)).toEqual([429, "too_many_attempts"]);
    expect(Number(fifth.headers.get("retry-after"))).toBe(60);
    const right = (await signIn(p)).res;
    expect(right.status).toBe(429);
    expect(right.headers.get("set-cookie")).toBeNull();
    await p.time.advance(61_000);
    expect((await signIn(p)).res.status).toBe(200);
  });

  test("hostile sign-in bodies: not JSON, no password, a number, 10 KB → problems, never a session", async () => {
    const p = page({ passwordHash: HASH });
    const post = (body: string) =>
      p.request("/api/session", { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(await codeOf(await post("pw"))).toEqual([400, "bad_request"]);
    expect(await codeOf(await post("{}"))).toEqual([400, "bad_request"]);
    expect(await codeOf(await post('{"password": 12345678901}'))).toEqual([400, "bad_request"]);
    expect(await codeOf(await post(JSON.stringify({ password: "x".repeat(10_000) })))).toEqual([
      413,
      "parameter_too_large",
    ]);
    expect(await codeOf(await post(JSON.stringify({ password: "x".repeat(2000) })))).toEqual([
      401,
      "unauthorized",
    ]);
  });

  test("sessions expire after 30 minutes idle → 401 session_expired", async () => {
    const p = page({ passwordHash: HASH });
    const { cookie } = await signIn(p);
    const headers = { cookie: cookie ?? "" };
    await p.time.advance(29 * 60_000);
    expect((await p.request("/api/status", { headers })).status).toBe(200); // use slides the idle timeout
    await p.time.advance(31 * 60_000);
    expect(await codeOf(await p.request("/api/status", { headers }))).toEqual([401, "session_expired"]);
  });

  test("sign-out (with CSRF) ends the session and clears the cookie", async () => {
    const p = page({ passwordHash: HASH });
    const { res, cookie } = await signIn(p);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const headers = { cookie: cookie ?? "" };
    expect(await codeOf(await p.request("/api/session", { method: "DELETE", headers }))).toEqual([
      403,
      "csrf_failed",
    ]);
    const out = await p.request("/api/session", { method: "DELETE", headers, csrf: csrfToken });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect(await codeOf(await p.request("/api/status", { headers }))).toEqual([401, "unauthorized"]);
  });

  test("any Host name is accepted once a password protects the page; sign-in from another origin is refused", async () => {
    const p = page({ passwordHash: HASH, listenHost: "0.0.0.0", scope: "wildcard" });
    expect((await p.request("/api/session", { headers: { host: "nas.lan:9876" } })).status).toBe(200);
    const cross = await p.request("/api/session", {
      method: "POST",
      json: { password: PASSWORD },
      headers: { origin: "http://evil.example" },
    });
    expect(await codeOf(cross)).toEqual([403, "csrf_failed"]);
  });
});
