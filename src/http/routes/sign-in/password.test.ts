import { describe, expect, it } from "vitest";
import { sessionHarness } from "./testing.js";

const PW = "a long enough password";
const NEW = "a brand new password";

async function setup() {
  const h = sessionHarness();
  await h.users.add("alice", PW);
  const mine = await h.signIn("alice", PW);
  const other = await h.signIn("alice", PW);
  return { h, mine, other };
}

function change(
  h: Awaited<ReturnType<typeof setup>>["h"],
  s: { cookie: string; csrf?: string },
  body: unknown,
) {
  return h.call("/api/v1/session/password", { method: "POST", body, ...s });
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

describe("password change", () => {
  it("changes the password and ends the user's other sessions", async () => {
    const { h, mine, other } = await setup();
    const res = await change(h, mine, { current: PW, new: NEW });
    expect(res.status).toBe(204);
    expect((await h.call("/api/v1/session", { cookie: mine.cookie })).status).toBe(200);
    expect((await h.call("/api/v1/session", { cookie: other.cookie })).status).toBe(401);
    expect(await h.users.verify("alice", NEW)).toBeDefined();
    expect(await h.users.verify("alice", PW)).toBeUndefined();
  });

  it("needs the session's CSRF token", async () => {
    const { h, mine } = await setup();
    const res = await change(h, { cookie: mine.cookie }, { current: PW, new: NEW });
    expect(res.status).toBe(403);
    expect(await code(res)).toBe("csrf_failed");
  });

  it("needs a session", async () => {
    const { h } = await setup();
    expect(
      (await h.call("/api/v1/session/password", { method: "POST", body: { current: PW, new: NEW } })).status,
    ).toBe(401);
  });

  it("refuses a wrong current password (403 wrong_password) and limits guesses", async () => {
    const { h, mine } = await setup();
    for (let i = 0; i < 5; i++) {
      const res = await change(h, mine, { current: `wrong ${i} password`, new: NEW });
      expect(res.status).toBe(403);
      expect(await code(res)).toBe("wrong_password");
    }
    const locked = await change(h, mine, { current: PW, new: NEW });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("60");
    expect(await h.users.verify("alice", PW)).toBeDefined();
  });

  it.each([
    ["a weak new password", { current: PW, new: "short" }, 400, "weak_password"],
    ["a missing new password", { current: PW }, 400, "bad_request"],
    ["a number", { current: PW, new: 12345678901 }, 400, "bad_request"],
  ])("refuses %s", async (_name, body, status, expected) => {
    const { h, mine } = await setup();
    const res = await change(h, mine, body);
    expect(res.status).toBe(status);
    expect(await code(res)).toBe(expected);
    expect(await h.users.verify("alice", PW)).toBeDefined();
  });
});
