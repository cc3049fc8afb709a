import { writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { verifyPassword } from "../../services/auth/passwords.js";
import {
  codeOf,
  PAGE_HASH,
  PAGE_PASSWORD,
  sessionCookie,
  SETUP_CODE,
  usePages,
  yamlWith,
  type PageHarness,
} from "./testing/page.js";

const page = usePages();
const NEW_PASSWORD = "a brand new page password";
const YAML = yamlWith("81.2.69.160", "81.2.69.160");

function setup(p: PageHarness, body: unknown, headers: Record<string, string> = {}) {
  return p.request("/api/setup", { method: "POST", json: body, headers });
}

/** The hash the file now holds under status.password_hash (the harness's YAML has no status block). */
function storedHash(p: PageHarness): string | undefined {
  return /\nstatus:\n {2}password_hash: "([^"]+)"\n$/.exec(p.onDisk())?.[1];
}

describe("POST /api/setup", () => {
  test("the printed code and a password: stored in the file (nothing else changed), signed in, page now needs it", async () => {
    const p = page();
    const res = await setup(p, {
      code: SETUP_CODE.toLowerCase().replaceAll("-", " "),
      password: NEW_PASSWORD,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { authenticated: boolean; csrfToken: string; expiresAt: string };
    expect(body.authenticated).toBe(true);
    const cookie = sessionCookie(res) ?? "";
    expect(res.headers.get("set-cookie")).toContain("HttpOnly");

    const hash = storedHash(p) ?? "";
    expect(p.onDisk()).toBe(`${YAML}status:\n  password_hash: "${hash}"\n`);
    expect(await verifyPassword(NEW_PASSWORD, hash)).toBe(true);
    expect(p.calls.passwordSet).toEqual([hash]);

    // The session works for changes; anonymous readers are now shut out like in the password mode.
    const check = await p.request("/api/config/check", {
      method: "POST",
      csrf: body.csrfToken,
      json: { yaml: p.onDisk() },
      headers: { cookie },
    });
    expect(check.status).toBe(200);
    expect(((await check.json()) as { restartRequired: string[] }).restartRequired).toEqual([]);
    expect(await codeOf(await p.request("/api/status"))).toEqual([401, "unauthorized"]);
    expect(await (await p.request("/api/session")).json()).toEqual({
      authenticated: false,
      passwordRequired: true,
    });
    const signIn = await p.request("/api/session", { method: "POST", json: { password: NEW_PASSWORD } });
    expect(signIn.status).toBe(200);
  });

  test("the code is single use: again, even right, is 409 setup_done and the file keeps the first password", async () => {
    const p = page();
    expect((await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD })).status).toBe(201);
    const after = p.onDisk();
    const again = await setup(p, { code: SETUP_CODE, password: "an attacker's password" });
    expect(await codeOf(again)).toEqual([409, "setup_done"]);
    expect(p.onDisk()).toBe(after);
  });

  test("two setups at once with the right code: one wins, the other is 409 setup_done", async () => {
    const p = page();
    const [a, b] = await Promise.all([
      setup(p, { code: SETUP_CODE, password: "first password!" }),
      setup(p, { code: SETUP_CODE, password: "second password!" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(p.calls.passwordSet).toHaveLength(1);
    expect(p.onDisk().match(/password_hash/g)).toHaveLength(1);
  });

  test("no code exists once a password does: 409 setup_done, and GET /api/session offers no setup", async () => {
    const p = page({ passwordHash: PAGE_HASH });
    expect(await (await p.request("/api/session")).json()).toEqual({
      authenticated: false,
      passwordRequired: true,
    });
    expect(await codeOf(await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD }))).toEqual([
      409,
      "setup_done",
    ]);
    expect(p.onDisk()).toBe(YAML);
    expect(
      (await p.request("/api/session", { method: "POST", json: { password: PAGE_PASSWORD } })).status,
    ).toBe(200);
  });

  test("a password added to the file by hand since the start is never replaced", async () => {
    const p = page();
    const edited = `${YAML}\nstatus:\n  password_hash: "${PAGE_HASH}"\n`;
    writeFileSync(p.file, edited);
    const res = await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD });
    const [status, code] = await codeOf(res.clone());
    expect([status, code]).toEqual([409, "setup_done"]);
    expect(((await res.json()) as { detail: string }).detail).toContain("restart the agent");
    expect(p.onDisk()).toBe(edited);
  });

  test("brute force: wrong codes are 401, the 5th locks (429 + Retry-After) even for the right code", async () => {
    const p = page({ clientAddress: "127.0.0.1" });
    const guesses = ["0000-0000-0000-0000-0000-0000", "", "7K2M", `${SETUP_CODE}X`];
    for (const code of guesses)
      expect(await codeOf(await setup(p, { code, password: NEW_PASSWORD }))).toEqual([
        401,
        "setup_code_invalid",
      ]);
    const fifth = await setup(p, { code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", password: NEW_PASSWORD });
    expect(await codeOf(fifth)).toEqual([429, "too_many_attempts"]);
    expect(Number(fifth.headers.get("retry-after"))).toBe(60);
    expect((await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD })).status).toBe(429);
    expect(p.onDisk()).toBe(YAML);
    await p.time.advance(61_000);
    expect((await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD })).status).toBe(201);
  });

  test("hostile bodies and weak passwords: a clear 4xx, nothing written, the code still good", async () => {
    const p = page();
    const raw = (body: string) =>
      p.request("/api/setup", { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(await codeOf(await raw("{not json"))).toEqual([400, "bad_request"]);
    expect(await codeOf(await raw("[]"))).toEqual([400, "bad_request"]);
    expect(await codeOf(await raw(JSON.stringify({ code: SETUP_CODE })))).toEqual([400, "bad_request"]);
    expect(await codeOf(await raw(JSON.stringify({ code: 42, password: NEW_PASSWORD })))).toEqual([
      400,
      "bad_request",
    ]);
    expect(
      await codeOf(await raw(JSON.stringify({ code: "x".repeat(300), password: NEW_PASSWORD }))),
    ).toEqual([400, "bad_request"]);
    expect(
      await codeOf(await raw(JSON.stringify({ code: SETUP_CODE, password: "x".repeat(40_000) }))),
    ).toEqual([413, "parameter_too_large"]);
    for (const password of ["", "short", "x".repeat(1025)])
      expect(await codeOf(await setup(p, { code: SETUP_CODE, password }))).toEqual([400, "weak_password"]);
    expect(await codeOf(await setup(p, { code: SETUP_CODE, password: "x".repeat(5000) }))).toEqual([
      400,
      "bad_request",
    ]);
    expect(p.onDisk()).toBe(YAML);
    expect(p.calls.passwordSet).toEqual([]);
    expect((await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD })).status).toBe(201);
  });

  test("another origin or a cross-site fetch cannot set the password (403 csrf_failed)", async () => {
    const p = page();
    const cross: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { "sec-fetch-site": "cross-site" },
    ];
    for (const headers of cross)
      expect(await codeOf(await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD }, headers))).toEqual([
        403,
        "csrf_failed",
      ]);
    expect(p.onDisk()).toBe(YAML);
  });

  test("a file the agent may not write: 409 setup_unavailable naming `beacon agent password`; still in setup", async () => {
    const p = page({ writeError: "EROFS" });
    const res = await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD });
    const body = (await res.json()) as { code: string; detail: string };
    expect([res.status, body.code]).toEqual([409, "setup_unavailable"]);
    expect(body.detail).toContain(`may not write ${p.file} (EROFS)`);
    expect(body.detail).toContain("beacon agent password");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(p.calls.passwordSet).toEqual([]);
    expect(await (await p.request("/api/session")).json()).toMatchObject({ setup: { possible: true } });
  });

  test("a file found unwritable at start: no code, GET /api/session says why; POST is 409 setup_unavailable", async () => {
    const why = "the agent may not write the directory /etc/beacon (EROFS)";
    const p = page({ setupUnavailable: why });
    const session = (await (await p.request("/api/session")).json()) as {
      setup: { possible: boolean; detail: string };
    };
    expect(session.setup.possible).toBe(false);
    expect(session.setup.detail).toContain(why);
    expect(session.setup.detail).toContain("beacon agent password");
    const res = await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD });
    expect(await codeOf(res)).toEqual([409, "setup_unavailable"]);
    expect(p.onDisk()).toBe(YAML);
  });

  test("no configuration file: GET /api/session says setup is not possible and why; POST is 409", async () => {
    const p = page({ noFile: true });
    const session = (await (await p.request("/api/session")).json()) as {
      setup: { possible: boolean; detail: string };
    };
    expect(session.setup.possible).toBe(false);
    expect(session.setup.detail).toContain("without a configuration file");
    expect(session.setup.detail).toContain("beacon agent password");
    expect(await codeOf(await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD }))).toEqual([
      409,
      "setup_unavailable",
    ]);
  });

  test("a LAN listener without a password stays locked: 403 password_required, no setup", async () => {
    const p = page({ listenHost: "192.168.1.5", scope: "private" });
    const res = await setup(p, { code: SETUP_CODE, password: NEW_PASSWORD }, { host: "192.168.1.5:9876" });
    expect(await codeOf(res)).toEqual([403, "password_required"]);
    expect(p.onDisk()).toBe(YAML);
  });
});
