// Who may use the local page and its API (everything but /healthz and /metrics):
//
// - "open": loopback listener, no password. The API is usable, but every change still needs the
//   per-process CSRF token from GET /api/session (a page on another site cannot read it).
// - "locked": a LAN listener without a password: 403 password_required everywhere.
// - "password": status.password_hash is set. POST /api/session {password} opens a session (cookie
//   beacon_agent_session: HttpOnly, SameSite=Strict, Path=/); every /api/* route but /api/session
//   needs it, and every change its CSRF token (X-CSRF-Token, compared in constant time). Wrong
//   passwords are limited per client network; guessing from many networks only slows the networks
//   that already failed (login-limiter.ts), so a stranger cannot lock the page (429 + Retry-After).

import { randomBytes } from "node:crypto";
import type { Context, Hono, MiddlewareHandler } from "hono";
import type { ListenScope } from "../../config/agent/listen-scope.js";
import { BeaconError } from "../../core/errors.js";
import { readJsonBody } from "../../http/body.js";
import { clearSessionCookie, readSessionCookie, setSessionCookie } from "../../http/session/cookie.js";
import { csrfTokenMatches, isSafeMethod } from "../../http/session/csrf.js";
import { attemptKeys, ipKey, successKeys, type LoginLimiter } from "../../services/auth/login-limiter.js";
import { verifyPassword } from "../../services/auth/passwords.js";
import type { SessionService } from "../../services/auth/sessions.js";
import type { Log } from "../../services/ports.js";
import { problemResponse, refuse } from "./problem.js";

export const SESSION_COOKIE = "beacon_agent_session";
/** The page's one "user" in the session store. */
const PAGE_USER = "agent";
/** The page's one account in the limiter: guessing from many addresses brakes, never locks it. */
const PAGE_ACCOUNT = "agent page";
const MAX_LOGIN_BODY = 4 * 1024;
const MAX_PASSWORD = 1024;
/** The agent speaks plain HTTP; a TLS proxy in front may add Secure itself. */
const SECURE = false;

export type PageAccess =
  | { readonly kind: "open" }
  | { readonly kind: "locked" }
  | { readonly kind: "password"; readonly hash: string };

/** A hash always wins; without one only loopback is open (config refuses wildcard/public already). */
export function pageAccess(scope: ListenScope, passwordHash: string | undefined): PageAccess {
  if (passwordHash !== undefined) return { kind: "password", hash: passwordHash };
  return scope === "loopback" ? { kind: "open" } : { kind: "locked" };
}

export interface AuthDeps {
  readonly access: PageAccess;
  readonly sessions: SessionService;
  readonly limiter: LoginLimiter;
  /** The peer address of the connection; undefined when unknown (in-process tests). */
  readonly clientAddress: (c: Context) => string | undefined;
  readonly log: Log;
  /** Default node:crypto; the open mode's CSRF token comes from here. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

export interface Auth {
  /** Mounted on every page and API path but /api/session. */
  readonly require: MiddlewareHandler;
  /** Registers GET/POST/DELETE /api/session. */
  register(app: Hono): void;
}

export function createAuth(deps: AuthDeps): Auth {
  const { access, sessions, limiter, log } = deps;
  const random = deps.randomBytes ?? ((n: number) => randomBytes(n));
  const openToken = Buffer.from(random(32)).toString("base64url");

  const require: MiddlewareHandler = async (c, next) => {
    if (access.kind === "locked") return lockedProblem(log);
    if (access.kind === "open") {
      if (!isSafeMethod(c.req.method) && !csrfTokenMatches(c, openToken))
        return refuse("csrf_failed", log, "missing or wrong X-CSRF-Token (GET /api/session gives it)");
      await next();
      return undefined;
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

  /** Without a password (loopback) the page is always signed in; changes still need the CSRF token. */
  const openView = { authenticated: true, passwordRequired: false, csrfToken: openToken, expiresAt: null };

  function register(app: Hono): void {
    app.get("/api/session", async (c) => {
      if (access.kind === "locked") return lockedProblem(log);
      if (access.kind === "open") return c.json(openView);
      const resumed = await sessions.resume(readSessionCookie(c, SESSION_COOKIE));
      if (!resumed.ok) return c.json({ authenticated: false, passwordRequired: true });
      return c.json({
        authenticated: true,
        passwordRequired: true,
        csrfToken: resumed.session.csrfToken,
        expiresAt: new Date(sessions.expiresAt(resumed.session)).toISOString(),
      });
    });

    app.post("/api/session", async (c) => {
      if (access.kind === "locked") return lockedProblem(log);
      if (access.kind === "open") return c.json(openView);
      const client = ipKey(deps.clientAddress(c));
      const keys = attemptKeys(PAGE_ACCOUNT, client);
      const wait = limiter.check(keys);
      if (wait !== undefined) return tooMany(wait, log);
      let password: string;
      try {
        password = passwordOf(await readJsonBody(c.req.raw, MAX_LOGIN_BODY));
      } catch (e) {
        return problemResponse(e, log);
      }
      const ok = password.length <= MAX_PASSWORD && (await verifyPassword(password, access.hash));
      if (!ok) {
        limiter.failed(keys);
        log.warn({ client: deps.clientAddress(c) }, "wrong password for the local page");
        const after = limiter.check(keys);
        if (after !== undefined) return tooMany(after, log);
        return refuse("unauthorized", log, "wrong password");
      }
      limiter.succeeded(successKeys(PAGE_ACCOUNT, client));
      const { cookieValue, session } = await sessions.start(PAGE_USER);
      setSessionCookie(c, cookieValue, SECURE, SESSION_COOKIE);
      c.header("cache-control", "no-store");
      return c.json({
        authenticated: true,
        passwordRequired: true,
        csrfToken: session.csrfToken,
        expiresAt: new Date(sessions.expiresAt(session)).toISOString(),
      });
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

  return { require, register };
}

function passwordOf(body: unknown): string {
  const pw = (body as { password?: unknown } | null)?.password;
  if (typeof body !== "object" || body === null || Array.isArray(body) || typeof pw !== "string")
    throw new BeaconError("bad_request", 'expected {"password": "…"}');
  return pw;
}

function tooMany(waitMs: number, log: Log): Response {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return refuse("too_many_attempts", log, `too many wrong passwords; try again in ${seconds} s`, {
    headers: { "retry-after": String(seconds) },
  });
}

function lockedProblem(log: Log): Response {
  return refuse(
    "password_required",
    log,
    "this agent listens on a local-network address without status.password_hash; create one with `beacon agent password`, put it in the configuration and restart",
  );
}
