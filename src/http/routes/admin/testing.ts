// The admin routes over the memory store for in-process tests, mounted as the app mounts them but
// without the session middleware (http/session/, tested on its own). The clock, the rate counters and
// the callbacks are the test's.

import { Hono } from "hono";
import { z } from "zod";
import { BeaconError } from "../../../core/errors.js";
import { normalizeSocketAddress } from "../../../core/ip.js";
import { secret } from "../../../providers/kit/secrets.js";
import { createUpdateService } from "../../../services/apply-update.js";
import { createKeyService } from "../../../services/keys.js";
import { createAbuseFlags } from "../../../services/limits/abuse-flags.js";
import { createMirrorService } from "../../../services/mirror/mirrors.js";
import { createRateSampler, type RateSampler } from "../../../services/rates.js";
import { recordingListener, recordingLog, type LogLine } from "../../../services/testing/recorders.js";
import { createTokenService, type TokenService } from "../../../services/tokens.js";
import { createWriteQueue } from "../../../services/write-queue.js";
import { createZoneService } from "../../../services/zones.js";
import { createMemoryStore } from "../../../store/memory/memory-store.js";
import type { Store } from "../../../store/ports.js";
import type { AppEnv } from "../../deps.js";
import { problemResponse } from "../../problem.js";
import { createAdminRoutes, type AdminRouteDeps } from "./index.js";

export const ADMIN_IP = "81.2.69.142";
export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) Test";
export const START = 1_700_000_000_000;
/** The "fake" provider's settings: a secret token and a flag. */
const FAKE_SETTINGS = z.strictObject({ api_token: secret(z.string()), proxied: z.boolean().optional() });

export interface AdminHarness {
  readonly store: Store;
  readonly tokens: TokenService;
  readonly sampler: RateSampler;
  readonly counters: { updates: number; queries: number };
  readonly calls: { keysChanged: number; mirrorsChanged: number; poolsChanged: number };
  /** The admin routes themselves (to mount behind the session middleware: sign-in/testing.ts). */
  readonly routes: Hono<AppEnv>;
  readonly events: string[];
  readonly logs: LogLine[];
  setNow(ms: number): void;
  now(): number;
  /** JSON `body` is serialised; `raw` is sent as is. */
  api(
    path: string,
    init?: { method?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> },
    socketAddress?: string,
  ): Promise<Response>;
}

export async function adminHarness(
  over: Partial<Pick<AdminRouteDeps, "publicUrl" | "trustedProxies" | "pools" | "certificate" | "acme">> = {},
): Promise<AdminHarness> {
  const store = createMemoryStore();
  let now = START;
  const clock = () => now;
  const events: string[] = [];
  const logs: LogLine[] = [];
  const log = recordingLog(logs);
  const listener = recordingListener(events);
  const queue = createWriteQueue();
  const zones = createZoneService({ store, clock, listener, queue });
  const tokens = createTokenService({ store, clock, log });
  const updates = createUpdateService({ store, clock, listener, log, allowNonGlobal: false, queue });
  const keys = createKeyService({ store, clock });
  const mirrors = createMirrorService({
    store,
    clock,
    checkSettings: (id, provider, settings) => {
      if (provider !== "fake")
        throw new BeaconError("bad_request", `mirror ${id}: unknown provider ${provider}`);
      if (typeof settings["api_token"] !== "string")
        throw new BeaconError("bad_request", `mirror ${id}: api_token: expected a string`);
    },
  });
  const counters = { updates: 0, queries: 0 };
  const sampler = createRateSampler({ read: () => ({ ...counters }), clock });
  const calls = { keysChanged: 0, mirrorsChanged: 0, poolsChanged: 0 };

  await zones.addZone("example.com");
  await zones.addHost("home.example.com");
  events.length = 0;

  const admin = createAdminRoutes({
    zones,
    tokens,
    keys,
    mirrors,
    updates,
    store,
    flags: createAbuseFlags({ store, clock, log }),
    rates: () => sampler.series(),
    providers: [{ type: "fake", title: "A fake provider", settings: FAKE_SETTINGS }, { type: "plain" }],
    keysChanged: () => {
      calls.keysChanged++;
      return Promise.resolve();
    },
    mirrorsChanged: () => void calls.mirrorsChanged++,
    ...(over.pools === undefined ? {} : { pools: over.pools }),
    ...(over.certificate === undefined ? {} : { certificate: over.certificate }),
    ...(over.acme === undefined ? {} : { acme: over.acme }),
    poolsChanged: () => void calls.poolsChanged++,
    publicUrl: over.publicUrl,
    clientAddress: (c) => (c.env as { remote?: string } | undefined)?.remote,
    trustedProxies: over.trustedProxies ?? [],
    clock,
    log,
    version: "0.0.0-test",
  });
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("requestId", "req-test");
    c.set("clientIp", normalizeSocketAddress((c.env as { remote?: string } | undefined)?.remote));
    await next();
  });
  app.route("/api/v1/admin", admin);
  app.onError((err, c) => problemResponse(c, err, log));

  return {
    store,
    tokens,
    sampler,
    counters,
    calls,
    routes: admin,
    events,
    logs,
    setNow: (ms) => void (now = ms),
    now: () => now,
    api(path, init = {}, socketAddress = ADMIN_IP) {
      const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
      return Promise.resolve(
        app.request(
          `http://beacon.test/api/v1/admin${path}`,
          {
            method: init.method ?? "GET",
            headers: { "user-agent": BROWSER_UA, "content-type": "application/json", ...init.headers },
            ...(body === undefined ? {} : { body }),
          },
          { remote: socketAddress },
        ),
      );
    },
  };
}

/** Asserts nothing itself: returns the problem's status and code for `expect(...).toEqual`. */
export async function problemOf(
  res: Response,
): Promise<{ status: number; code: unknown; type: string | null }> {
  const body = (await res.json()) as { code?: unknown };
  return { status: res.status, code: body.code, type: res.headers.get("content-type") };
}
