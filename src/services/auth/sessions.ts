// Browser sessions: a random cookie value (32 bytes, base64url) whose SHA-256 is the stored id, so a
// leaked database does not hand out live sessions. Two clocks end a session: the idle timeout slides
// with use (the store is touched at most once a minute, so it may end up to a minute early), the
// absolute lifetime never moves. Expired sessions are deleted when seen and pruned on every start().

import { createHash, randomBytes as nodeRandomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.js";
import type { SessionRecord } from "../../store/types.js";
import type { SessionStore } from "../../store/ports.js";

export type { SessionRecord } from "../../store/types.js";
export type { SessionStore } from "../../store/ports.js";

const TOUCH_EVERY_MS = 60_000;
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface SessionServiceDeps {
  readonly store: SessionStore;
  readonly clock: Clock;
  /** Injected for tests; default node:crypto randomBytes. */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** Idle timeout in ms (admin.session_idle). */
  readonly idleMs: number;
  /** Absolute lifetime in ms (admin.session_lifetime). */
  readonly lifetimeMs: number;
}

export type ResumeResult =
  | { readonly ok: true; readonly session: SessionRecord }
  | { readonly ok: false; readonly code: "unauthorized" | "session_expired" };

export interface SessionService {
  /** Opens a session for `user` (the Store refuses unknown users with user_not_found). */
  start(user: string): Promise<{ cookieValue: string; session: SessionRecord }>;
  /** The live session for a cookie value; any malformed value is simply `unauthorized`. */
  resume(cookieValue: string | undefined): Promise<ResumeResult>;
  /** Ends the session (no-op when unknown). */
  end(cookieValue: string | undefined): Promise<void>;
  /** Ends every session of `user` except the one holding `exceptCookie`; resolves with the count. */
  endAll(user: string, exceptCookie?: string): Promise<number>;
  /** Deletes expired sessions; resolves with the count. */
  prune(): Promise<number>;
  /** When the session ends if not used again: the earlier of idle and absolute expiry. */
  expiresAt(session: SessionRecord): number;
}

/** Lowercase hex SHA-256 of a cookie value: the stored session id. */
export function sessionIdHash(cookieValue: string): string {
  return createHash("sha256").update(cookieValue, "utf8").digest("hex");
}

export function createSessionService(deps: SessionServiceDeps): SessionService {
  const { store, clock, idleMs, lifetimeMs } = deps;
  const random = deps.randomBytes ?? ((n: number) => nodeRandomBytes(n));

  function token(): string {
    return Buffer.from(random(32)).toString("base64url");
  }

  function expired(s: SessionRecord, now: number): boolean {
    return now >= s.expiresAt || now - s.lastSeenAt >= idleMs;
  }

  const prune = (): Promise<number> => {
    const now = clock();
    return store.pruneSessions(now, now - idleMs);
  };

  return {
    async start(user) {
      await prune();
      const now = clock();
      const cookieValue = token();
      const session: SessionRecord = {
        idHash: sessionIdHash(cookieValue),
        user,
        csrfToken: token(),
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + lifetimeMs,
      };
      await store.createSession(session);
      return { cookieValue, session };
    },

    async resume(cookieValue) {
      if (cookieValue === undefined || !COOKIE_VALUE.test(cookieValue))
        return { ok: false, code: "unauthorized" };
      const idHash = sessionIdHash(cookieValue);
      const session = await store.getSession(idHash);
      if (session === undefined) return { ok: false, code: "unauthorized" };
      const now = clock();
      if (expired(session, now)) {
        await store.deleteSession(idHash);
        return { ok: false, code: "session_expired" };
      }
      if (now - session.lastSeenAt < TOUCH_EVERY_MS) return { ok: true, session };
      await store.touchSession(idHash, now);
      return { ok: true, session: { ...session, lastSeenAt: now } };
    },

    async end(cookieValue) {
      if (cookieValue === undefined || !COOKIE_VALUE.test(cookieValue)) return;
      await store.deleteSession(sessionIdHash(cookieValue));
    },

    async endAll(user, exceptCookie) {
      const except =
        exceptCookie !== undefined && COOKIE_VALUE.test(exceptCookie)
          ? sessionIdHash(exceptCookie)
          : undefined;
      return store.deleteUserSessions(user, except);
    },

    prune,

    expiresAt(session) {
      return Math.min(session.expiresAt, session.lastSeenAt + idleMs);
    },
  };
}
