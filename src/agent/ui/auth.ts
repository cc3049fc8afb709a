// Who may use the local page and its API (everything but /healthz and /metrics):
//
// - "setup": loopback listener, no password yet. Read-only: the page's files, GET /api/status and
//   GET /api/session answer anyone on this machine. Everything else (the configuration, which holds
//   secrets, a check, a save, check-now, sign-in) is 401 setup_required: nothing anonymous can change
//   anything or run anything, and no CSRF token is handed out without a session. POST /api/setup
//   (setup.ts) stores a password with the one-time code the agent printed, and turns this mode into
//   "password", signed in.
// - "locked": a LAN listener without a password: 403 password_required everywhere.
// - "password": status.password_hash is set. POST /api/session {password} opens a session (cookie
//   beacon_agent_session: HttpOnly, SameSite=Strict, Path=/); every /api/* route but /api/session
//   needs it, and every change its CSRF token (X-CSRF-Token, compared in constant time). Wrong
//   passwords are limited per client network; guessing from many networks only slows the networks
//   that already failed (login-limiter.ts), so a stranger cannot lock the page (429 + Retry-After).

import type { Context, Hono, MiddlewareHandler } from "hono";
import type { ListenScope } from "../config/listen-scope.js";
import { BeaconError } from "../../core/errors.js";
import { readJsonBody } from "../../http/body.js";
import { clearSessionCookie, readSessionCookie, setSessionCookie } from "../../http/session/cookie.js";
import { csrfTokenMatches, isSafeMethod } from "../../http/session/csrf.js";
import { attemptKeys, ipKey, successKeys, type LoginLimiter } from "../../services/auth/login-limiter.js";
import { verifyPassword } from "../../services/auth/passwords.js";
import type { SessionRecord, SessionService } from "../../services/auth/sessions.js";
import type { Log } from "../../core/log.js";
import { problemResponse, refuse } from "./problem.js";

export const SESSION_COOKIE = "beacon_agent_session";
/** The page's one "user" in the session store. */
const PAGE_USER = "agent";
/**
 * The page's one account in the limiter (wrong passwords and wrong setup codes): guessing from many
 * addresses brakes, never locks it.
 */
const PAGE_ACCOUNT = "agent page";
const MAX_LOGIN_BODY = 4 * 1024;
const MAX_PASSWORD = 1024;
/** The agent speaks plain HTTP; a TLS proxy in front may add Secure itself. */
const SECURE = false;
/** What anyone on this machine may read before a password exists (besides the page's own files). */
const OPEN_READS: ReadonlySet<string> = new Set(["/api/status", "/api/session"]);

export type PageAccess =
  | { readonly kind: "setup" }
  | { readonly kind: "locked" }
  | { readonly kind: "password"; readonly hash: string };

/** A hash always wins; without one only loopback is served (config refuses wildcard/public already). */
export function pageAccess(scope: ListenScope, passwordHash: string | undefined): PageAccess {
  if (passwordHash !== undefined) return { kind: "password", hash: passwordHash };
  return scope === "loopback" ? { kind: "setup" } : { kind: "locked" };
}

/** Whether the page can set its own password (GET /api/session shows it while no password exists). */
export type SetupView =
  { readonly possible: true; readonly file: string } | { readonly possible: false; readonly detail: string };

export interface SignedIn {
  readonly authenticated: true;
  readonly passwordRequired: true;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

export interface AuthDeps {
  readonly access: PageAccess;
  readonly setup: SetupView;
  readonly sessions: SessionService;
  readonly limiter: LoginLimiter;
  /** The peer address of the connection; undefined when unknown (in-process tests). */
  readonly clientAddress: (c: Context) => string | undefined;
  readonly log: Log;
}

export interface Auth {
  /** Mounted on every page and API path but /api/session and /api/setup. */
  readonly require: MiddlewareHandler;
  /** Registers GET/POST/DELETE /api/session. */
  register(app: Hono): void;
  /** The mode now: "setup" becomes "password" once a password is set from the page. */
  access(): PageAccess;
  /** Limiter keys of an attempt (password or setup code): its client network, the page from that network, the page. */
  limiterKeys(c: Context): readonly string[];
  /** Setup's last step: from now on `hash` protects the page, and this request is signed in. */
  usePassword(c: Context, hash: string): Promise<SignedIn>;
}

export function createAuth(deps: AuthDeps): Auth {
  const { sessions, limiter, log } = deps;
  let access = deps.access;

  const require: MiddlewareHandler = async (c, next) => {
    if (access.kind === "locked") return lockedProblem(log);
    if (access.kind === "setup") {
      const path = c.req.path;
      if (isSafeMethod(c.req.method) && (!path.startsWith("/api/") || OPEN_READS.has(path))) {
        await next();
        return undefined;
      }
      return setupRequired(log);
    }
    const resumed = await sessions.resume(readSessionCookie(c, SESSION_COOKIE));
    if (!resumed.ok) {
      // Pages load and then ask GET /api/session; only the API itself is closed.
      if (!c.req.path.startsWith("/api/")) {
        await next();
        return undefined;
      }
      return refuse(resumed.code, log, "sign in with the agent's page password");
    }
    if (!isSafeMethod(c.req.method) && !csrfTokenMatches(c, resumed.session.csrfToken))
      return refuse("csrf_failed", log, "missing or wrong X-CSRF-Token");
    await next();
    return undefined;
  };

  const signedIn = (session: SessionRecord): SignedIn => ({
    authenticated: true,
    passwordRequired: true,
    csrfToken: session.csrfToken,
    expiresAt: new Date(sessions.expiresAt(session)).toISOString(),
  });

  const startSession = async (c: Context): Promise<SignedIn> => {
    const { cookieValue, session } = await sessions.start(PAGE_USER);
    setSessionCookie(c, cookieValue, SECURE, SESSION_COOKIE);
    c.header("cache-control", "no-store");
    return signedIn(session);
  };

  const limiterKeys = (c: Context) => attemptKeys(PAGE_ACCOUNT, ipKey(deps.clientAddress(c)));

  function register(app: Hono): void {
    app.get("/api/session", async (c) => {
      if (access.kind === "locked") return lockedProblem(log);
      if (access.kind === "setup")
        return c.json({ authenticated: false, passwordRequired: true, setup: deps.setup });
      const resumed = await sessions.resume(readSessionCookie(c, SESSION_COOKIE));
      if (!resumed.ok) return c.json({ authenticated: false, passwordRequired: true });
      return c.json(signedIn(resumed.session));
    });

    app.post("/api/session", async (c) => {
      if (access.kind === "locked") return lockedProblem(log);
      if (access.kind === "setup") return setupRequired(log);
      const hash = access.hash;
      const keys = limiterKeys(c);
      const wait = limiter.check(keys);
      if (wait !== undefined) return tooMany(wait, log);
      let password: string;
      try {
        password = passwordOf(await readJsonBody(c.req.raw, MAX_LOGIN_BODY));
      } catch (e) {
        return problemResponse(e, log);
      }
      const ok = password.length <= MAX_PASSWORD && (await verifyPassword(password, hash));
      if (!ok) {
        limiter.failed(keys);
        log.warn({ client: deps.clientAddress(c) }, "wrong password for the local page");
        const after = limiter.check(keys);
        if (after !== undefined) return tooMany(after, log);
        return refuse("unauthorized", log, "wrong password");
      }
      limiter.succeeded(successKeys(PAGE_ACCOUNT, ipKey(deps.clientAddress(c))));
      return c.json(await startSession(c));
    });

    app.delete("/api/session", async (c) => {
      if (access.kind === "locked") return lockedProblem(log);
      if (access.kind === "password") {
        const cookie = readSessionCookie(c, SESSION_COOKIE);
        const resumed = await sessions.resume(cookie);
        if (resumed.ok) {
          if (!csrfTokenMatches(c, resumed.session.csrfToken))
            return refuse("csrf_failed", log, "missing or wrong X-CSRF-Token");
          await sessions.end(cookie);
        }
        clearSessionCookie(c, SECURE, SESSION_COOKIE);
      }
      return c.body(null, 204);
    });
  }

  return {
    require,
    register,
    access: () => access,
    limiterKeys,
    async usePassword(c, hash) {
      access = { kind: "password", hash };
      return startSession(c);
    },
  };
}

function passwordOf(body: unknown): string {
  const pw = (body as { password?: unknown } | null)?.password;
  if (typeof body !== "object" || body === null || Array.isArray(body) || typeof pw !== "string")
    throw new BeaconError("bad_request", 'expected {"password": "…"}');
  return pw;
}

/** 429 too_many_attempts with Retry-After in whole seconds. */
export function tooMany(waitMs: number, log: Log): Response {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return refuse("too_many_attempts", log, `too many failed attempts; try again in ${seconds} s`, {
    headers: { "retry-after": String(seconds) },
  });
}

export const LOCKED_DETAIL =
  "this agent listens on a local-network address without status.password_hash; create one with `beacon agent password`, put it in the configuration and restart";

function lockedProblem(log: Log): Response {
  return refuse("password_required", log, LOCKED_DETAIL);
}

function setupRequired(log: Log): Response {
  return refuse(
    "setup_required",
    log,
    "no password is set for this page yet: set one on the page with the setup code the agent printed at start, or with `beacon agent password`",
  );
}
