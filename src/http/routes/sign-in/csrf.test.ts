import { describe, expect, it } from "vitest";
import {
  cookieOf,
  IDLE_MS,
  LIFETIME_MS,
  MIN,
  ORIGIN,
  sessionHarness,
  type SessionHarness,
} from "./testing.js";

const PW = "a long enough password";

async function signedIn(opts: { publicUrl?: string } = {}) {
  const h = sessionHarness(opts);
  await h.users.add("alice", PW);
  return { h, ...(await h.signIn("alice", PW)) };
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

function post(
  h: SessionHarness,
  cookie: string,
  extra: { csrf?: string; headers?: Record<string, string> } = {},
) {
  return h.call("/api/v1/admin/things", { method: "POST", body: {}, cookie, ...extra });
}

describe("admin routes need a session", () => {
  it("401 unauthorized without a cookie, with user set for a live one", async () => {
    const { h, cookie } = await signedIn();
    const none = await h.call("/api/v1/admin/whoami");
    expect(none.status).toBe(401);
    expect(await code(none)).toBe("unauthorized");
    expect(none.headers.get("www-authenticate")).toBeNull();
    const ok = await h.call("/api/v1/admin/whoami", { cookie });
    expect(await ok.json()).toEqual({ user: { name: "alice" } });
  });
});

describe("CSRF", () => {
  it("allows GET without a token", async () => {
    const { h, cookie } = await signedIn();
    expect((await h.call("/api/v1/admin/whoami", { cookie })).status).toBe(200);
  });

  it("refuses a change without the token (403 csrf_failed)", async () => {
    const { h, cookie } = await signedIn();
    const res = await post(h, cookie);
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("csrf_failed");
  });

  it.each([
    ["wrong", "A".repeat(43)],
    ["empty", ""],
    ["huge", "A".repeat(10_000)],
  ])("refuses a %s token", async (_name, token) => {
    const { h, cookie } = await signedIn();
    const res = await post(h, cookie, { csrf: token });
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("csrf_failed");
  });

  it("refuses another session's token", async () => {
    const { h, cookie } = await signedIn();
    const other = await h.signIn("alice", PW);
    expect((await post(h, cookie, { csrf: other.csrf })).status).toBe(403);
  });

  it("accepts the session's token", async () => {
    const { h, cookie, csrf } = await signedIn();
    const res = await post(h, cookie, { csrf, headers: { origin: ORIGIN, "sec-fetch-site": "same-origin" } });
    expect(res.status).toBe(200);
  });

  it.each([
    ["another origin", { origin: "https://evil.example" }],
    ["the same host over another scheme", { origin: "https://beacon.test" }],
    ["another port", { origin: "http://beacon.test:8080" }],
    ["a null origin", { origin: "null" }],
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site same-site", { "sec-fetch-site": "same-site" }],
  ])("refuses a change from %s even with the right token", async (_name, headers) => {
    const { h, cookie, csrf } = await signedIn();
    const res = await post(h, cookie, { csrf, headers });
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("csrf_failed");
  });

  it("refuses a cross-site sign-in (login CSRF) and a cross-site setup", async () => {
    const h = sessionHarness();
    await h.users.add("alice", PW);
    for (const path of ["/api/v1/session", "/api/v1/setup"]) {
      const res = await h.call(path, {
        method: "POST",
        body: { username: "alice", password: PW, code: "x" },
        headers: { origin: "https://evil.example" },
      });
      expect(res.status).toBe(403);
      expect(cookieOf(res)).toBeUndefined();
    }
  });

  it("accepts the configured public URL's origin, and the forwarded origin from a trusted proxy", async () => {
    const { h, cookie, csrf } = await signedIn({ publicUrl: "https://dns.example.org/" });
    expect((await post(h, cookie, { csrf, headers: { origin: "https://dns.example.org" } })).status).toBe(
      200,
    );
    const proxied = await h.call("/api/v1/admin/things", {
      method: "POST",
      body: {},
      cookie,
      csrf,
      peer: "127.0.0.1",
      headers: {
        origin: "https://admin.example",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "admin.example",
      },
    });
    expect(proxied.status).toBe(200);
    const spoofed = await h.call("/api/v1/admin/things", {
      method: "POST",
      body: {},
      cookie,
      csrf,
      headers: {
        origin: "https://admin.example",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "admin.example",
      },
    });
    expect(spoofed.status).toBe(403);
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Strict, Path=/, without Max-Age, and not Secure over plain HTTP", async () => {
    const h = sessionHarness();
    await h.users.add("alice", PW);
    const res = await h.call("/api/v1/session", {
      method: "POST",
      body: { username: "alice", password: PW },
    });
    const header = res.headers.get("set-cookie") ?? "";
    expect(header).toMatch(/^beacon_session=[\w-]{43};/);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect(header).toMatch(/; Path=\//);
    expect(header).not.toMatch(/Max-Age|Expires|Domain/i);
    expect(header).not.toMatch(/Secure/);
  });

  it.each([
    ["an https URL", { url: "https://beacon.test" }, true],
    [
      "X-Forwarded-Proto from a trusted proxy",
      { peer: "127.0.0.1", headers: { "x-forwarded-proto": "https" } },
      true,
    ],
    ["X-Forwarded-Proto from anyone else", { headers: { "x-forwarded-proto": "https" } }, false],
  ])("Secure over %s: %s", async (_name, init, secure) => {
    const h = sessionHarness();
    await h.users.add("alice", PW);
    const res = await h.call("/api/v1/session", {
      method: "POST",
      body: { username: "alice", password: PW },
      ...init,
    });
    expect(res.status).toBe(200);
    expect(/; Secure/.test(res.headers.get("set-cookie") ?? "")).toBe(secure);
  });
});

describe("session expiry", () => {
  it("ends after the idle timeout (401 session_expired)", async () => {
    const { h, cookie } = await signedIn();
    h.advance(IDLE_MS - MIN);
    expect((await h.call("/api/v1/admin/whoami", { cookie })).status).toBe(200);
    h.advance(IDLE_MS);
    const res = await h.call("/api/v1/admin/whoami", { cookie });
    expect(res.status).toBe(401);
    expect(await code(res)).toBe("session_expired");
  });

  it("ends at the absolute lifetime even when used all along", async () => {
    const { h, cookie } = await signedIn();
    let last = 0;
    for (let t = 0; t + 20 * MIN < LIFETIME_MS; t += 20 * MIN) {
      h.advance(20 * MIN);
      last = (await h.call("/api/v1/session", { cookie })).status;
      expect(last).toBe(200);
    }
    h.advance(20 * MIN);
    const res = await h.call("/api/v1/admin/whoami", { cookie });
    expect(res.status).toBe(401);
    expect(await code(res)).toBe("session_expired");
  });

  it("ends when the user is removed", async () => {
    const { h, cookie } = await signedIn();
    await h.users.remove("alice");
    expect((await h.call("/api/v1/admin/whoami", { cookie })).status).toBe(401);
  });
});
