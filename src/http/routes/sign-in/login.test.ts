import { beforeAll, describe, expect, it } from "vitest";
import { cookieOf, MIN, sessionHarness, type SessionHarness } from "./testing.js";

const PW = "a long enough password";

async function withUsers(): Promise<SessionHarness> {
  const h = sessionHarness();
  await h.users.add("alice", PW);
  await h.users.add("bob", PW);
  return h;
}

function login(h: SessionHarness, username: string, password: string, peer?: string) {
  return h.call("/api/v1/session", {
    method: "POST",
    body: { username, password },
    ...(peer === undefined ? {} : { peer }),
  });
}

async function problem(
  res: Response,
): Promise<{ code: string; detail: string; status: number; title: string }> {
  return (await res.json()) as { code: string; detail: string; status: number; title: string };
}

describe("sign-in", () => {
  let h: SessionHarness;
  beforeAll(async () => {
    h = await withUsers();
  });

  it("signs in with the right password: 200, session body, cookie", async () => {
    const res = await login(h, "alice", PW);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      user: { name: "alice" },
      csrfToken: expect.any(String) as string,
    });
    expect(cookieOf(res)).toMatch(/^[\w-]{43}$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("answers a wrong password and an unknown user alike (401 unauthorized, no challenge)", async () => {
    const wrong = await login(h, "alice", "not the password");
    const unknown = await login(h, "nobody", "not the password");
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.headers.get("www-authenticate")).toBeNull();
    expect(cookieOf(wrong)).toBeUndefined();
    const [a, b] = [await problem(wrong), await problem(unknown)];
    expect(a).toMatchObject({ code: "unauthorized" });
    expect({ ...a, requestId: undefined }).toEqual({ ...b, requestId: undefined });
  });

  it("issues a new session on every sign-in and ends the one the browser held", async () => {
    const first = await h.signIn("alice", PW);
    const res = await h.call("/api/v1/session", {
      method: "POST",
      body: { username: "alice", password: PW },
      cookie: first.cookie,
    });
    expect(res.status).toBe(200);
    const second = cookieOf(res);
    expect(second).toBeDefined();
    expect(second).not.toBe(first.cookie);
    expect((await h.call("/api/v1/session", { cookie: first.cookie })).status).toBe(401);
    expect((await h.call("/api/v1/session", { cookie: second! })).status).toBe(200);
  });

  it("GET /session answers the current session without a new cookie, or 401", async () => {
    const { cookie, csrf } = await h.signIn("alice", PW);
    const res = await h.call("/api/v1/session", { cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { name: "alice" }, csrfToken: csrf });
    expect(res.headers.get("set-cookie")).toBeNull();
    for (const bad of [undefined, "", "garbage", "A".repeat(43), "%ZZ", "x".repeat(5000)]) {
      const r = await h.call("/api/v1/session", bad === undefined ? {} : { cookie: bad });
      expect(r.status).toBe(401);
      expect((await problem(r)).code).toBe("unauthorized");
    }
  });

  it("signs out with DELETE (CSRF needed): 204, cookie cleared, session gone", async () => {
    const { cookie, csrf } = await h.signIn("alice", PW);
    expect((await h.call("/api/v1/session", { method: "DELETE", cookie })).status).toBe(403);
    const res = await h.call("/api/v1/session", { method: "DELETE", cookie, csrf });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/beacon_session=;.*Max-Age=0/i);
    expect((await h.call("/api/v1/session", { cookie })).status).toBe(401);
  });
});

describe("other methods", () => {
  it.each([
    ["PUT", "/api/v1/session"],
    ["PATCH", "/api/v1/setup"],
    ["GET", "/api/v1/session/password"],
  ])("%s %s is 405 with Allow", async (method, path) => {
    const h = sessionHarness();
    const res = await h.call(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toMatch(/POST/);
    expect(((await res.json()) as { code: string }).code).toBe("method_not_allowed");
  });
});

describe("wrong-password limits", () => {
  it("locks after five failures: the 6th attempt is 429 with Retry-After, even with the right password", async () => {
    const h = await withUsers();
    for (let i = 0; i < 5; i++) expect((await login(h, "alice", `wrong ${i}`)).status).toBe(401);
    const res = await login(h, "alice", PW);
    expect(res.status).toBe(429);
    expect((await problem(res)).code).toBe("too_many_attempts");
    expect(res.headers.get("retry-after")).toBe("60");
    expect(cookieOf(res)).toBeUndefined();
    h.advance(MIN);
    expect((await login(h, "alice", PW)).status).toBe(200);
  });

  it("locks the client network across user names", async () => {
    const h = await withUsers();
    for (const name of ["a1", "a2", "a3", "a4", "a5"])
      await login(h, name, "wrong password", "2001:db8:5:6::1");
    expect((await login(h, "bob", PW, "2001:db8:5:6::abcd")).status).toBe(429);
    expect((await login(h, "bob", PW, "2001:db8:5:7::1")).status).toBe(200);
  });

  it("a stranger cannot lock an account: five failures from five addresses, then one an hour", async () => {
    const h = await withUsers();
    for (let i = 1; i <= 5; i++) await login(h, "alice", "wrong password", `198.51.100.${i}`);
    expect((await login(h, "alice", PW, "203.0.113.9")).status).toBe(200);
    for (let hour = 0; hour < 3; hour++) {
      h.advance(60 * MIN);
      await login(h, "alice", "wrong password", `198.51.100.${hour + 1}`);
      expect((await login(h, "alice", PW, `203.0.113.${10 + hour}`)).status).toBe(200);
    }
  });

  it("slows an account guessed from many addresses only where it already failed", async () => {
    const h = await withUsers();
    for (let i = 1; i <= 10; i++) await login(h, "alice", "wrong password", `198.51.100.${i}`);
    const res = await login(h, "alice", PW, "198.51.100.1");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    expect((await login(h, "bob", PW, "198.51.100.1")).status).toBe(200);
    expect((await login(h, "alice", PW, "203.0.113.9")).status).toBe(200);
  });

  it("never asks to wait longer than the lock when the clock is stepped back a day", async () => {
    const h = await withUsers();
    for (let i = 0; i < 5; i++) await login(h, "alice", `wrong ${i}`);
    h.advance(-86_400_000);
    const res = await login(h, "alice", PW);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    h.advance(MIN);
    expect((await login(h, "alice", PW)).status).toBe(200);
  });

  it("does not believe X-Forwarded-For from an untrusted peer", async () => {
    const h = await withUsers();
    for (let i = 0; i < 5; i++)
      await h.call("/api/v1/session", {
        method: "POST",
        body: { username: `u${i}`, password: "wrong password" },
        peer: "192.0.2.50",
        headers: { "x-forwarded-for": `203.0.113.${i}` },
      });
    expect((await login(h, "bob", PW, "192.0.2.50")).status).toBe(429);
  });
});

describe("hostile sign-in bodies", () => {
  it.each([
    ["non-JSON", { raw: "username=alice&password=x" }],
    ["a JSON string", { raw: '"alice"' }],
    ["truncated JSON", { raw: '{"username": "alice", ' }],
    ["a number as user name", { body: { username: 7, password: PW } }],
    ["an object as password", { body: { username: "alice", password: { $ne: "" } } }],
    ["a missing user name", { body: { password: PW } }],
    ["a 10k-character user name", { body: { username: "a".repeat(10_000), password: PW } }],
  ])("answers %s with 400 bad_request", async (_name, init) => {
    const h = sessionHarness();
    const res = await h.call("/api/v1/session", { method: "POST", ...init });
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe("bad_request");
  });

  it.each([
    ["text/plain", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
    ["multipart", "multipart/form-data; boundary=b"],
    ["application/json-patch+json", "application/json-patch+json"],
  ])("answers a JSON body sent as %s with 415 unsupported_media_type", async (_name, type) => {
    const h = await withUsers();
    const raw = JSON.stringify({ username: "alice", password: PW });
    const res = await h.call("/api/v1/session", { method: "POST", raw, headers: { "content-type": type } });
    expect(res.status).toBe(415);
    expect((await problem(res)).code).toBe("unsupported_media_type");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("answers a 1 MB body with 413 and never reads it all", async () => {
    const h = sessionHarness();
    const res = await h.call("/api/v1/session", {
      method: "POST",
      body: { username: "alice", password: "x".repeat(1_000_000) },
    });
    expect(res.status).toBe(413);
  });

  it("answers an over-long password as a wrong one, counted by the limiter", async () => {
    const h = await withUsers();
    const res = await login(h, "alice", "x".repeat(3000));
    expect(res.status).toBe(401);
  });
});
