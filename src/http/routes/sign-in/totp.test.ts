// Two-factor sign-in through the routes: enrolment by the signed-in user, the second sign-in step
// (no session before it, challenge expiry, same-origin check, limiter, replay, recovery codes once)
// and turning it off. Bad inputs tried: wrong and reused codes, malformed bodies (a number, not JSON, a
// 300-character code), a missing, malformed or expired challenge cookie, a session cookie in its place.
// Two harnesses on one store stand for two server nodes.

import { beforeEach, describe, expect, it } from "vitest";
import { totpCode } from "../../../services/auth/totp-code.js";
import { cookieOf, MIN, sessionHarness, type SessionHarness } from "./testing.js";

const PW = "a long enough password";

function challengeOf(res: Response): string | undefined {
  return /(?:^|,\s*)beacon_sign_in=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
}

describe("two-factor sign-in", () => {
  let h: SessionHarness;
  let secret: string;
  let recovery: string[];

  const password = (username = "alice", pw = PW) =>
    h.call("/api/v1/session", { method: "POST", body: { username, password: pw } });
  const code = (challenge: string, value: string, headers: Record<string, string> = {}) =>
    h.call("/api/v1/session/code", {
      method: "POST",
      body: { code: value },
      headers: { cookie: `beacon_sign_in=${challenge}`, ...headers },
    });
  async function challenge(): Promise<string> {
    const res = await password();
    expect(res.status).toBe(202);
    return challengeOf(res)!;
  }

  beforeEach(async () => {
    h = sessionHarness();
    await h.users.add("alice", PW);
    const s = await h.signIn("alice", PW);
    const created = await h.call("/api/v1/session/totp/secret", { method: "POST", ...s });
    expect(created.status).toBe(200);
    ({ secret } = (await created.json()) as { secret: string; uri: string });
    const enabled = await h.call("/api/v1/session/totp/enable", {
      method: "POST",
      body: { code: totpCode(secret, h.now()) },
      ...s,
    });
    expect(enabled.status).toBe(200);
    ({ recoveryCodes: recovery } = (await enabled.json()) as { recoveryCodes: string[] });
    h.advance(30_000); // the enrolment code's step is used
  });

  it("enrols: a pending secret, confirmed by a code, then ten recovery codes", async () => {
    expect(recovery).toHaveLength(10);
    const s = await signInWithCode();
    const status = await h.call("/api/v1/session/totp", { cookie: s.cookie });
    expect(await status.json()).toEqual({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    const again = await h.call("/api/v1/session/totp/secret", { method: "POST", ...s });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "totp_enabled" });
  });

  it("asks for the code after the password, with no session until it is right", async () => {
    const res = await password();
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ secondFactor: "totp", expiresAt: expect.any(String) as string });
    expect(cookieOf(res)).toBeUndefined();
    const c = challengeOf(res)!;
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/i);
    expect(res.headers.get("set-cookie")).toMatch(/SameSite=Strict/i);
    // The challenge is no session.
    expect((await h.call("/api/v1/session", { cookie: c })).status).toBe(401);
    expect((await h.call("/api/v1/admin/whoami", { cookie: c })).status).toBe(401);
    const wrong = await code(c, totpCode(secret, h.now() - 5 * MIN));
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: "wrong_code" });
    const right = await code(c, totpCode(secret, h.now()));
    expect(right.status).toBe(200);
    const session = cookieOf(right)!;
    expect(await right.json()).toMatchObject({ user: { name: "alice" } });
    expect(right.headers.get("set-cookie")).toMatch(/beacon_sign_in=;/);
    expect((await h.call("/api/v1/admin/whoami", { cookie: session })).status).toBe(200);
    // The challenge is spent, and the code too (replay), even with a new challenge.
    expect((await code(c, totpCode(secret, h.now()))).status).toBe(401);
    const replay = await code(await challenge(), totpCode(secret, h.now()));
    expect(await replay.json()).toMatchObject({ code: "wrong_code" });
  });

  it("ends the challenge after five minutes", async () => {
    const c = await challenge();
    h.advance(5 * MIN);
    const res = await code(c, totpCode(secret, h.now()));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "sign_in_expired" });
  });

  it("refuses the step without a live challenge cookie, or with malformed bodies", async () => {
    const s = await signInWithCode();
    h.advance(30_000);
    const now = totpCode(secret, h.now());
    for (const cookie of ["", "x", "a".repeat(43), s.cookie]) {
      const res = await code(cookie, now);
      expect(res.status, cookie).toBe(401);
      expect(await res.json()).toMatchObject({ code: "sign_in_expired" });
    }
    const noCookie = await h.call("/api/v1/session/code", { method: "POST", body: { code: now } });
    expect(noCookie.status).toBe(401);
    const c = await challenge();
    const headers = { cookie: `beacon_sign_in=${c}` };
    for (const bad of [
      { body: { code: 123456 } },
      { raw: "{not json" },
      { body: { code: "1".repeat(300) } },
      { body: {} },
    ])
      expect((await h.call("/api/v1/session/code", { method: "POST", headers, ...bad })).status).toBe(400);
    expect((await code(c, now)).status).toBe(200);
  });

  it("checks the origin of the second step as of the first", async () => {
    const c = await challenge();
    const foreign: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
    ];
    for (const headers of foreign) {
      const res = await code(c, totpCode(secret, h.now()), headers);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "csrf_failed" });
    }
    expect((await code(c, totpCode(secret, h.now()), { origin: "http://beacon.test" })).status).toBe(200);
  });

  it("counts wrong codes in the login limiter: locked after five, even for the right code", async () => {
    const c = await challenge();
    for (let i = 0; i < 5; i++) expect((await code(c, "000000")).status).toBe(403);
    const locked = await code(c, totpCode(secret, h.now()));
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toMatch(/^\d+$/);
    // The password step is locked too, for this account from this network.
    expect((await password()).status).toBe(429);
  });

  it("signs in with a recovery code once", async () => {
    const first = await code(await challenge(), recovery[0]!.toUpperCase());
    expect(first.status).toBe(200);
    const second = await code(await challenge(), recovery[0]!);
    expect(second.status).toBe(403);
    expect(h.logs.some((l) => l.msg === "signed in with a recovery code")).toBe(true);
  });

  it("turns off with the password and a code; then the password alone signs in", async () => {
    const s = await signInWithCode();
    h.advance(30_000);
    const off = (body: unknown) => h.call("/api/v1/session/totp/disable", { method: "POST", body, ...s });
    expect(
      (await h.call("/api/v1/session/totp/disable", { method: "POST", body: {}, cookie: s.cookie })).status,
    ).toBe(403);
    expect(
      await (await off({ password: "wrong password!", code: totpCode(secret, h.now()) })).json(),
    ).toMatchObject({
      code: "wrong_password",
    });
    expect(await (await off({ password: PW, code: "000000" })).json()).toMatchObject({ code: "wrong_code" });
    expect((await off({ password: PW, code: totpCode(secret, h.now()) })).status).toBe(204);
    expect(await (await off({ password: PW, code: "000000" })).json()).toMatchObject({
      code: "totp_not_enabled",
    });
    expect((await password()).status).toBe(200);
  });

  it("needs a session, and the CSRF token for changes", async () => {
    expect((await h.call("/api/v1/session/totp")).status).toBe(401);
    expect((await h.call("/api/v1/session/totp/secret", { method: "POST" })).status).toBe(401);
    const s = await signInWithCode();
    const noToken = await h.call("/api/v1/session/totp/secret", { method: "POST", cookie: s.cookie });
    expect(await noToken.json()).toMatchObject({ code: "csrf_failed" });
    expect((await h.call("/api/v1/session/totp/enable", { method: "GET", cookie: s.cookie })).status).toBe(
      405,
    );
  });

  it("is finished on another node, and the code cannot be replayed on the first", async () => {
    const other = sessionHarness({ store: h.store });
    other.advance(h.now() - other.now());
    const c = await challenge();
    const now = totpCode(secret, h.now());
    const res = await other.call("/api/v1/session/code", {
      method: "POST",
      body: { code: now },
      headers: { cookie: `beacon_sign_in=${c}` },
    });
    expect(res.status).toBe(200);
    expect((await h.call("/api/v1/admin/whoami", { cookie: cookieOf(res)! })).status).toBe(200);
    expect(await (await code(await challenge(), now)).json()).toMatchObject({ code: "wrong_code" });
  });

  async function signInWithCode(): Promise<{ cookie: string; csrf: string }> {
    const res = await code(await challenge(), totpCode(secret, h.now()));
    expect(res.status).toBe(200);
    return { cookie: cookieOf(res)!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }
});

describe("sign-in without two-factor", () => {
  it("answers the password step with a session, and a pending enrolment changes nothing", async () => {
    const h = sessionHarness();
    await h.users.add("bob", PW);
    const s = await h.signIn("bob", PW);
    const status = await h.call("/api/v1/session/totp", { cookie: s.cookie });
    expect(await status.json()).toEqual({ enabled: false, pending: false, recoveryCodesLeft: 0 });
    expect((await h.call("/api/v1/session/totp/secret", { method: "POST", ...s })).status).toBe(200);
    const wrong = await h.call("/api/v1/session/totp/enable", {
      method: "POST",
      body: { code: "000000" },
      ...s,
    });
    expect(await wrong.json()).toMatchObject({ code: "wrong_code" });
    await h.signIn("bob", PW); // still one step
  });
});
