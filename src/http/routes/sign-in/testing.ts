// An in-process harness for the sign-in routes: the session routes and requireSession mounted as the
// app mounts them, over the memory store, with the test's clock. The socket peer comes from the
// x-test-peer header (default 192.0.2.10); 127.0.0.1 is the only trusted proxy.

import { Hono } from "hono";
import { createLoginChallenges } from "../../../services/auth/login-challenges.js";
import { createLoginLimiter } from "../../../services/auth/login-limiter.js";
import { createSecondFactor } from "../../../services/auth/second-factor.js";
import { createSessionService } from "../../../services/auth/sessions.js";
import { createUserService, type UserService } from "../../../services/auth/users.js";
import { recordingLog, type LogLine } from "../../../services/testing/recorders.js";
import { createMemoryStore } from "../../../store/memory/memory-store.js";
import type { Store } from "../../../store/ports.js";
import type { AppEnv } from "../../deps.js";
import type { SessionEnv } from "../../session/guard.js";
import { createSessionRoutes, requireSession } from "./index.js";

export const ORIGIN = "http://beacon.test";
export const SETUP_CODE = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF";
export const MIN = 60_000;
export const IDLE_MS = 30 * MIN;
export const LIFETIME_MS = 12 * 60 * MIN;

export interface Call {
  method?: string;
  body?: unknown;
  /** Sent as is, declared application/json unless `headers` say otherwise. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  cookie?: string;
  csrf?: string;
  peer?: string;
  url?: string;
}

export interface SessionHarness {
  readonly store: Store;
  readonly users: UserService;
  readonly logs: LogLine[];
  advance(ms: number): void;
  /** The harness clock's time now. */
  now(): number;
  call(path: string, init?: Call): Promise<Response>;
  /** Signs in and returns the cookie value and CSRF token. */
  signIn(username: string, password: string, peer?: string): Promise<{ cookie: string; csrf: string }>;
}

/** The beacon_session value a response sets, or undefined. */
export function cookieOf(res: Response): string | undefined {
  const header = res.headers.get("set-cookie") ?? "";
  return /(?:^|,\s*)beacon_session=([^;]*)/.exec(header)?.[1];
}

export function sessionHarness(
  opts: {
    publicUrl?: string;
    setupCode?: string | undefined;
    /** Routes mounted at /api/v1/admin behind the session middleware (after its test routes). */
    admin?: Hono<AppEnv>;
    /** Another harness's store: two harnesses on one store are two server nodes. */
    store?: Store;
  } = {},
): SessionHarness {
  let now = 1_700_000_000_000;
  const clock = () => now;
  const store = opts.store ?? createMemoryStore();
  const logs: LogLine[] = [];
  const log = recordingLog(logs);
  const users = createUserService({ store, clock });
  const sessions = createSessionService({ store, clock, idleMs: IDLE_MS, lifetimeMs: LIFETIME_MS });
  const limiter = createLoginLimiter({ clock });
  let setupDone = false;
  const deps = {
    users,
    sessions,
    limiter,
    secondFactor: createSecondFactor({ store, clock }),
    challenges: createLoginChallenges({ store, clock }),
    setupCode: () => (setupDone ? undefined : "setupCode" in opts ? opts.setupCode : SETUP_CODE),
    onSetupDone: () => {
      setupDone = true;
    },
    publicUrl: opts.publicUrl,
    clientAddress: (c: { req: { header(n: string): string | undefined } }) =>
      c.req.header("x-test-peer") ?? "192.0.2.10",
    trustedProxies: ["127.0.0.1"],
    log,
  };
  const app = new Hono<SessionEnv>();
  app.use("/api/v1/admin/*", requireSession(deps));
  app.get("/api/v1/admin/whoami", (c) => c.json({ user: c.get("user") }));
  app.post("/api/v1/admin/things", (c) => c.json({ user: c.get("user") }));
  if (opts.admin !== undefined) app.route("/api/v1/admin", opts.admin);
  app.route("/api/v1", createSessionRoutes(deps));

  async function call(path: string, init: Call = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.cookie !== undefined) headers["cookie"] = `beacon_session=${init.cookie}`;
    if (init.csrf !== undefined) headers["x-csrf-token"] = init.csrf;
    if (init.peer !== undefined) headers["x-test-peer"] = init.peer;
    let body: string | Uint8Array | undefined = init.raw;
    if (init.raw !== undefined) headers["content-type"] ??= "application/json";
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers["content-type"] = "application/json";
    }
    return app.request(`${init.url ?? ORIGIN}${path}`, { method: init.method ?? "GET", headers, body });
  }

  return {
    store,
    users,
    logs,
    advance: (ms) => {
      now += ms;
    },
    now: clock,
    call,
    signIn: async (username, password, peer) => {
      const res = await call("/api/v1/session", {
        method: "POST",
        body: { username, password },
        ...(peer === undefined ? {} : { peer }),
      });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      const { csrfToken } = (await res.json()) as { csrfToken: string };
      const cookie = cookieOf(res);
      if (cookie === undefined) throw new Error("no cookie");
      return { cookie, csrf: csrfToken };
    },
  };
}
