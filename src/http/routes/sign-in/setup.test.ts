import { describe, expect, it } from "vitest";
import { cookieOf, SETUP_CODE, sessionHarness } from "./testing.js";

const PW = "a long enough password";

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

describe("first-run setup", () => {
  it("creates the first admin once, signs them in, and answers 409 setup_done afterwards", async () => {
    const h = sessionHarness();
    expect(await json(await h.call("/api/v1/setup"))).toEqual({ required: true });

    const res = await h.call("/api/v1/setup", {
      method: "POST",
      body: { code: SETUP_CODE.toLowerCase(), username: "Admin", password: PW },
    });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({
      user: { name: "admin" },
      csrfToken: expect.stringMatching(/^[\w-]{43}$/) as string,
    });
    expect(new Date(body["expiresAt"] as string).getTime()).toBeGreaterThan(Date.parse("2023-01-01"));
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/^[\w-]{43}$/);
    expect(await h.call("/api/v1/session", { cookie: cookie! }).then((r) => r.status)).toBe(200);
    expect(JSON.stringify(h.logs)).not.toContain(PW);

    expect(await json(await h.call("/api/v1/setup"))).toEqual({ required: false });
    const again = await h.call("/api/v1/setup", {
      method: "POST",
      body: { code: SETUP_CODE, username: "mallory", password: PW },
    });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ code: "setup_done" });
    expect(await h.users.count()).toBe(1);

    // Even with the table empty again (beacon user rm), the used code stays spent.
    await h.users.remove("admin");
    const reused = await h.call("/api/v1/setup", {
      method: "POST",
      body: { code: SETUP_CODE, username: "mallory", password: PW },
    });
    expect(reused.status).toBe(401);
    expect(await h.users.count()).toBe(0);
  });

  it("refuses a wrong code (401 setup_code_invalid) and a weak password (400 weak_password)", async () => {
    const h = sessionHarness();
    const wrong = await h.call("/api/v1/setup", {
      method: "POST",
      body: { code: "AAAA-BBBB-CCCC-DDDD-EEEE-FFFE", username: "admin", password: PW },
    });
    expect(wrong.status).toBe(401);
    expect(await json(wrong)).toMatchObject({ code: "setup_code_invalid" });
    expect(wrong.headers.get("www-authenticate")).toBeNull();
    const weak = await h.call("/api/v1/setup", {
      method: "POST",
      body: { code: SETUP_CODE, username: "admin", password: "short" },
    });
    expect(weak.status).toBe(400);
    expect(await json(weak)).toMatchObject({ code: "weak_password" });
    expect(await h.users.count()).toBe(0);
  });

  it("limits wrong codes per client network: the 6th attempt is 429 with Retry-After", async () => {
    const h = sessionHarness();
    const attempt = (code: string, peer: string) =>
      h.call("/api/v1/setup", { method: "POST", body: { code, username: "admin", password: PW }, peer });
    for (let i = 0; i < 5; i++) expect((await attempt("WRONG", "2001:db8:1:2::1")).status).toBe(401);
    const locked = await attempt(SETUP_CODE, "2001:db8:1:2::99");
    expect(locked.status).toBe(429);
    expect(await json(locked)).toMatchObject({ code: "too_many_attempts" });
    expect(locked.headers.get("retry-after")).toBe("60");
    expect((await attempt(SETUP_CODE, "198.51.100.7")).status).toBe(201);
  });

  it("refuses every code when setup by code is off", async () => {
    const h = sessionHarness({ setupCode: undefined });
    const res = await h.call("/api/v1/setup", {
      method: "POST",
      body: { code: SETUP_CODE, username: "admin", password: PW },
    });
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({
      code: "setup_code_invalid",
      detail: expect.stringMatching(/beacon user add/) as string,
    });
  });

  it("lets exactly one of two racing setups win", async () => {
    const h = sessionHarness();
    const results = await Promise.all(
      ["first", "second"].map((username) =>
        h.call("/api/v1/setup", { method: "POST", body: { code: SETUP_CODE, username, password: PW } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await h.users.count()).toBe(1);
  });

  it.each([
    ["non-JSON", { raw: "code=x&username=y" }],
    ["a JSON array", { raw: "[]" }],
    ["JSON null", { raw: "null" }],
    ["invalid UTF-8", { raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }],
    ["a number as the code", { body: { code: 123456, username: "admin", password: PW } }],
    ["a missing password", { body: { code: SETUP_CODE, username: "admin" } }],
    ["a 10k-character user name", { body: { code: SETUP_CODE, username: "a".repeat(10_000), password: PW } }],
    ["a bad user name", { body: { code: SETUP_CODE, username: "no spaces please", password: PW } }],
  ])("answers %s with a 400 problem", async (_name, init) => {
    const h = sessionHarness();
    const res = await h.call("/api/v1/setup", { method: "POST", ...init });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await h.users.count()).toBe(0);
  });

  it("answers a huge body with 413 parameter_too_large", async () => {
    const h = sessionHarness();
    const res = await h.call("/api/v1/setup", {
      method: "POST",
      body: { code: SETUP_CODE, username: "admin", password: "x".repeat(100_000) },
    });
    expect(res.status).toBe(413);
    expect(await json(res)).toMatchObject({ code: "parameter_too_large" });
  });
});
