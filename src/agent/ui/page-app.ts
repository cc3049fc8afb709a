// The local page on the agent's status listener: checks in front (Host, Origin, access), the API
// routes (session and setup first: they make their own access decisions), and the page's static files
// (web/agent, web/shared). /healthz and /metrics are registered by status.ts before this and never
// pass through these checks.

import type { Context, Hono } from "hono";
import type { ListenScope } from "../config/listen-scope.js";
import type { Clock } from "../../core/clock.js";
import { PAGE_HEADERS, registerPages, type AssetReader } from "../../http/pages/assets.js";
import { createLoginLimiter } from "../../services/auth/login-limiter.js";
import { createSessionService } from "../../services/auth/sessions.js";
import { createMemorySessionStore } from "../../store/memory/sessions.js";
import type { Log } from "../../core/log.js";
import { createAuth, pageAccess } from "./auth.js";
import { registerConfigApi, type ConfigApiDeps } from "./config-api.js";
import { hostGuard, originGuard } from "./guard.js";
import { refuse } from "./problem.js";
import { createSerial } from "./serial.js";
import { registerSetup, setupView } from "./setup.js";
import { registerStatusApi, type StatusApiDeps } from "./status-api.js";

const IDLE_MS = 30 * 60_000;
const LIFETIME_MS = 12 * 3_600_000;

export interface PageDeps {
  readonly listen: { readonly host: string; readonly scope: ListenScope };
  readonly passwordHash: string | undefined;
  /**
   * The one-time code the agent printed at start for setting the password from the page (loopback,
   * no password, a configuration file); undefined otherwise.
   */
  readonly setupCode: string | undefined;
  /** Why the configuration file cannot be written (ConfigFile.writeProblem() at start), if so. */
  readonly setupUnavailable?: string;
  /** Told the hash once the page has stored a new password in the file. */
  readonly onPasswordSet?: (hash: string) => void;
  readonly assets: AssetReader;
  readonly statusApi: StatusApiDeps;
  readonly config: Omit<ConfigApiDeps, "log">;
  readonly clock: Clock;
  readonly log: Log;
  readonly clientAddress: (c: Context) => string | undefined;
  readonly randomBytes?: (n: number) => Uint8Array;
}

const PAGE_PATHS = ["/", "/agent", "/agent/*", "/shared/*", "/api/*"] as const;

export function registerPage(app: Hono, deps: PageDeps): void {
  const { log } = deps;
  const access = pageAccess(deps.listen.scope, deps.passwordHash);
  const limiter = createLoginLimiter({ clock: deps.clock });
  const auth = createAuth({
    access,
    setup: setupView(deps.setupCode, deps.config.file, deps.setupUnavailable),
    sessions: createSessionService({
      store: createMemorySessionStore({ maxSessions: 1_000 }),
      clock: deps.clock,
      idleMs: IDLE_MS,
      lifetimeMs: LIFETIME_MS,
      ...(deps.randomBytes === undefined ? {} : { randomBytes: deps.randomBytes }),
    }),
    limiter,
    clientAddress: deps.clientAddress,
    log,
  });
  const host = hostGuard(
    { listenHost: deps.listen.host, scope: deps.listen.scope, passwordSet: deps.passwordHash !== undefined },
    log,
  );
  const origin = originGuard(log);
  for (const p of PAGE_PATHS) app.use(p, host, origin);
  const saves = createSerial();
  auth.register(app);
  registerSetup(app, {
    auth,
    code: deps.setupCode,
    unwritable: deps.setupUnavailable,
    file: deps.config.file,
    saves,
    limiter,
    log,
    ...(deps.onPasswordSet === undefined ? {} : { onPasswordSet: deps.onPasswordSet }),
  });
  for (const p of PAGE_PATHS) app.use(p, auth.require);

  registerStatusApi(app, deps.statusApi);
  registerConfigApi(app, { ...deps.config, log }, saves);
  app.all("/api/*", () => refuse("not_found", log, "no such API route"));

  app.get("/", async (c) => {
    const body = await deps.assets("agent/index.html");
    if (body === undefined) return c.text("the page's files are missing (web/agent)", 404);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      ...PAGE_HEADERS,
      "content-type": "text/html; charset=utf-8",
    });
  });
  registerPages(app, deps.assets, "agent");
}
