import { describe, expect, it } from "vitest";
import { createMemorySessionStore } from "../../store/memory/sessions.js";
import { createSessionService, sessionIdHash } from "./sessions.js";

const MIN = 60_000;

function setup(opts: { idleMs?: number; lifetimeMs?: number } = {}) {
  let now = 1_700_000_000_000;
  const store = createMemorySessionStore();
  const service = createSessionService({
    store,
    clock: () => now,
    idleMs: opts.idleMs ?? 30 * MIN,
    lifetimeMs: opts.lifetimeMs ?? 12 * 60 * MIN,
  });
  return {
    store,
    service,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe("session service", () => {
  it("starts a session whose cookie value is random base64url and stored only as a hash", async () => {
    const { store, service } = setup();
    const a = await service.start("alice");
    const b = await service.start("alice");
    expect(a.cookieValue).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.cookieValue).not.toBe(b.cookieValue);
    expect(a.session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.session.csrfToken).not.toBe(a.cookieValue);
    expect(a.session.idHash).toBe(sessionIdHash(a.cookieValue));
    expect(await store.getSession(a.cookieValue)).toBeUndefined();
    expect((await store.getSession(a.session.idHash))?.user).toBe("alice");
  });

  it("resumes a live session", async () => {
    const { service } = setup();
    const { cookieValue, session } = await service.start("alice");
    const r = await service.resume(cookieValue);
    expect(r).toEqual({ ok: true, session });
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["too short", "abc"],
    ["bad characters", "!".repeat(43)],
    ["huge", "a".repeat(100_000)],
    ["unknown but well-formed", "A".repeat(43)],
  ])("refuses a %s cookie value as unauthorized", async (_name, value) => {
    const { service } = setup();
    await service.start("alice");
    expect(await service.resume(value)).toEqual({ ok: false, code: "unauthorized" });
  });

  it("expires after the idle timeout, and deletes the session when seen", async () => {
    const { service, store, advance } = setup({ idleMs: 30 * MIN });
    const { cookieValue, session } = await service.start("alice");
    advance(30 * MIN);
    expect(await service.resume(cookieValue)).toEqual({ ok: false, code: "session_expired" });
    expect(await store.getSession(session.idHash)).toBeUndefined();
    expect(await service.resume(cookieValue)).toEqual({ ok: false, code: "unauthorized" });
  });

  it("slides the idle timeout with use", async () => {
    const { service, advance } = setup({ idleMs: 30 * MIN });
    const { cookieValue } = await service.start("alice");
    for (let i = 0; i < 5; i++) {
      advance(20 * MIN);
      const r = await service.resume(cookieValue);
      expect(r.ok).toBe(true);
    }
  });

  it("touches the store at most once a minute", async () => {
    const { service, store, advance, now } = setup();
    const { cookieValue, session } = await service.start("alice");
    advance(30_000);
    await service.resume(cookieValue);
    expect((await store.getSession(session.idHash))?.lastSeenAt).toBe(session.createdAt);
    advance(40_000);
    const r = await service.resume(cookieValue);
    expect(r.ok && r.session.lastSeenAt).toBe(now());
    expect((await store.getSession(session.idHash))?.lastSeenAt).toBe(now());
  });

  it("never extends the absolute lifetime", async () => {
    const { service, advance } = setup({ idleMs: 30 * MIN, lifetimeMs: 60 * MIN });
    const { cookieValue } = await service.start("alice");
    advance(25 * MIN);
    expect((await service.resume(cookieValue)).ok).toBe(true);
    advance(25 * MIN);
    expect((await service.resume(cookieValue)).ok).toBe(true);
    advance(10 * MIN);
    expect(await service.resume(cookieValue)).toEqual({ ok: false, code: "session_expired" });
  });

  it("reports the earlier of idle and absolute expiry", async () => {
    const { service, advance } = setup({ idleMs: 30 * MIN, lifetimeMs: 40 * MIN });
    const { session, cookieValue } = await service.start("alice");
    expect(service.expiresAt(session)).toBe(session.createdAt + 30 * MIN);
    advance(20 * MIN);
    const r = await service.resume(cookieValue);
    if (!r.ok) throw new Error("expected a live session");
    expect(service.expiresAt(r.session)).toBe(session.createdAt + 40 * MIN);
  });

  it("ends one session, or all of a user's but one", async () => {
    const { service } = setup();
    const a = await service.start("alice");
    const b = await service.start("alice");
    const c = await service.start("alice");
    const bob = await service.start("bob");
    await service.end(a.cookieValue);
    expect((await service.resume(a.cookieValue)).ok).toBe(false);
    expect(await service.endAll("alice", b.cookieValue)).toBe(1);
    expect((await service.resume(b.cookieValue)).ok).toBe(true);
    expect((await service.resume(c.cookieValue)).ok).toBe(false);
    expect((await service.resume(bob.cookieValue)).ok).toBe(true);
    await service.end("not a cookie");
    await service.end(undefined);
  });

  it("prunes expired sessions when a new one starts", async () => {
    const { service, store, advance } = setup({ idleMs: 30 * MIN });
    const old = await service.start("alice");
    advance(31 * MIN);
    await service.start("bob");
    expect(await store.getSession(old.session.idHash)).toBeUndefined();
  });

  it("uses the injected random source", async () => {
    let n = 0;
    const service = createSessionService({
      store: createMemorySessionStore(),
      clock: () => 0,
      randomBytes: (size) => new Uint8Array(size).fill(++n),
      idleMs: MIN,
      lifetimeMs: MIN,
    });
    const { cookieValue, session } = await service.start("alice");
    expect(cookieValue).toBe(Buffer.alloc(32, 1).toString("base64url"));
    expect(session.csrfToken).toBe(Buffer.alloc(32, 2).toString("base64url"));
  });
});

describe("memory session store", () => {
  it("evicts the least recently seen past its bound", async () => {
    const store = createMemorySessionStore({ maxSessions: 2 });
    const rec = (id: string, lastSeenAt: number) => ({
      idHash: id,
      user: "u",
      csrfToken: "t",
      createdAt: 0,
      lastSeenAt,
      expiresAt: 1e15,
    });
    await store.createSession(rec("a", 5));
    await store.createSession(rec("b", 1));
    await store.createSession(rec("c", 9));
    expect(await store.getSession("b")).toBeUndefined();
    expect(await store.getSession("a")).toBeDefined();
    expect(await store.getSession("c")).toBeDefined();
  });
});
