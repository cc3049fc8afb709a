import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  codeOf,
  PAGE_HASH as HASH,
  PAGE_PASSWORD as PASSWORD,
  sessionCookie,
  SETUP_CODE,
  usePages,
  yamlWith,
  type PageHarness,
} from "./testing/page.js";

const page = usePages();

async function signIn(p: PageHarness, password = PASSWORD, headers: Record<string, string> = {}) {
  const res = await p.request("/api/session", { method: "POST", json: { password }, headers });
  return { res, cookie: sessionCookie(res) };
}

describe("loopback without a password (setup: read-only until a password is set)", () => {
  test("GET /api/session says where setup would store the password and hands out no CSRF token", async () => {
    const p = page();
    const res = await p.request("/api/session");
    expect(await res.json()).toEqual({
      authenticated: false,
      passwordRequired: true,
      setup: { possible: true, file: p.file },
    });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  test("status and the page's files are open; everything else is 401 setup_required", async () => {
    const p = page({ status: [] });
    expect((await p.request("/api/status")).status).toBe(200);
    expect((await p.request("/agent/app.js")).status).toBe(404); // no assets in this harness, but not refused
    const closed: [string, string][] = [
      ["GET", "/api/config"], // the file holds secrets
      ["PUT", "/api/config"],
      ["POST", "/api/config/check"],
      ["POST", "/api/check-now"],
      ["POST", "/api/session"],
      ["GET", "/api/nothing-here"],
    ];
    for (const [method, path] of closed) {
      const body = method === "GET" ? {} : { json: { yaml: "", password: "x" } };
      const res = await p.request(path, { method, ...body });
      expect(await codeOf(res), `${method} ${path}`).toEqual([401, "setup_required"]);
    }
    expect(p.calls.runNow).toBe(0);
    expect(p.calls.apply).toBe(0);
  });

  test("the reviewer's attack: GET /api/session, then POST /api/config/check with a command source → 401, nothing runs", async () => {
    const p = page();
    const marker = `${p.dir}/pwned`;
    const session = (await (await p.request("/api/session")).json()) as { csrfToken?: string };
    expect(session.csrfToken).toBeUndefined();
    const yaml = yamlWith("81.2.69.160", "81.2.69.160").replace(
      'two: { type: static, address: "81.2.69.160", operator: second }',
      `two: { type: command, argv: ["/bin/sh", "-c", "touch ${marker}"] }`,
    );
    const attempts: Record<string, string>[] = [
      {},
      { "x-csrf-token": "x".repeat(43) }, // a guessed token
      { origin: "http://127.0.0.1:9876" }, // a forged Origin naming the page itself
      { origin: "http://127.0.0.1:9876", "sec-fetch-site": "same-origin", "x-csrf-token": "" },
    ];
    for (const headers of attempts) {
      const res = await p.request("/api/config/check", { method: "POST", headers, json: { yaml } });
      expect(await codeOf(res)).toEqual([401, "setup_required"]);
      const save = await p.request("/api/config", { method: "PUT", headers, json: { yaml } });
      expect(await codeOf(save)).toEqual([401, "setup_required"]);
    }
    // Another origin is refused before anything else looks at the request.
    const cross = await p.request("/api/config/check", {
      method: "POST",
      headers: { origin: "http://evil.example" },
      json: { yaml },
    });
    expect(await codeOf(cross)).toEqual([403, "csrf_failed"]);
    expect(existsSync(marker)).toBe(false);
    expect(p.onDisk()).toBe(yamlWith("81.2.69.160", "81.2.69.160"));
  });

  test("a rebinding Host is refused on the API and the page (403 bad_host)", async () => {
    const p = page();
    for (const path of ["/api/status", "/api/session", "/api/config", "/", "/agent/app.js"]) {
      const res = await p.request(path, { headers: { host: "evil.example:9876" } });
      expect(await codeOf(res)).toEqual([403, "bad_host"]);
    }
    const setup = await p.request("/api/setup", {
      method: "POST",
      headers: { host: "evil.example:9876" },
      json: { code: SETUP_CODE, password: PASSWORD },
    });
    expect(await codeOf(setup)).toEqual([403, "bad_host"]);
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

  test("changes need the session's token; a missing or wrong one, another origin or a cross-site fetch are refused", async () => {
    const p = page({ passwordHash: HASH });
    const { res, cookie } = await signIn(p);
    const { csrfToken: csrf } = (await res.json()) as { csrfToken: string };
    const post = (headers: Record<string, string>) =>
      p.request("/api/check-now", { method: "POST", headers: { cookie: cookie ?? "", ...headers } });
    expect(await codeOf(await post({}))).toEqual([403, "csrf_failed"]);
    expect(await codeOf(await post({ "x-csrf-token": `${csrf}x` }))).toEqual([403, "csrf_failed"]);
    const refused: Record<string, string>[] = [
      { origin: "http://evil.example" },
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
