// A wired app over the memory store for in-process HTTP tests: zone example.com with hosts, a clock
// the test controls, a recording listener and log, and `request()` that sets the socket address.

import type { Hono } from "hono";
import type { Registry } from "prom-client";
import type { RRSet } from "../../core/records.js";
import { createUpdateService, type UpdateService } from "../../services/apply-update.js";
import { createAbuseFlags } from "../../services/limits/abuse-flags.js";
import { createSampleCompat } from "../../services/sample-compat.js";
import { createRequestSignatures } from "../../services/request-signatures.js";
import { createBuckets } from "../../services/limits/buckets.js";
import { createLimits } from "../../services/limits/update-limits.js";
import type { LimitRates } from "../../core/rate.js";
import { createTokenService, type TokenService } from "../../services/tokens.js";
import { createWriteQueue } from "../../services/write-queue.js";
import { createZoneService, type ZoneService } from "../../services/zones.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { recordingListener, recordingLog, type LogLine } from "../../services/testing/recorders.js";
import { createApp } from "../app.js";
import type { AppDeps, AppEnv } from "../deps.js";

/** Global unicast addresses (documentation ranges are not global, so they cannot be used here). */
export const CLIENT_V4 = "81.2.69.142";
export const OTHER_V4 = "81.2.69.160";
export const CLIENT_V6 = "2a02:8070:a1b2::1";
export const OTHER_V6 = "2a02:8070:c3d4::42";
export const UA = "Beacon-Test/1.0 test@example.com";

export type { LogLine };

export interface Fixture {
  readonly app: Hono<AppEnv>;
  readonly store: Store;
  readonly tokens: TokenService;
  readonly zones: ZoneService;
  readonly updates: UpdateService;
  readonly events: string[];
  readonly logs: LogLine[];
  setNow(ms: number): void;
  /** A token string for `names` (exact names unless `subtree`) with A and AAAA unless `types` given. */
  token(
    names: readonly string[],
    opts?: { types?: ("A" | "AAAA" | "TXT")[]; subtree?: boolean; allowedCidrs?: string[] },
  ): Promise<string>;
  request(path: string, init?: RequestInit, socketAddress?: string): Promise<Response>;
  rrsets(fqdn: string): Promise<RRSet[]>;
}

export async function createFixture(
  opts: {
    trustedProxies?: string[];
    allowNonGlobal?: boolean;
    store?: Store;
    hosts?: string[];
    /** Update limits (services/limits) on the fixture's clock; none: nothing is limited. */
    limits?: LimitRates;
    metrics?: Registry;
    /** Health-checked pools and heartbeats (fakes: testing/pools.ts); none: their routes are 404. */
    pools?: Pick<AppDeps, "pools" | "heartbeats">;
    /** Wraps the update service the app uses (e.g. services/acknowledged-updates.ts). */
    decorate?: (updates: UpdateService) => UpdateService;
    /** The AWS sample's protocol at / (routes/aws-sample.ts). */
    sampleCompat?: boolean;
    /** Keyless updates: the JWT authenticator (services/oidc/jwt-auth.ts). */
    jwt?: AppDeps["jwt"];
    /** Beacon's own HTTPS (middleware/transport.ts); a request is over TLS when its env says `tls: true`. */
    https?: AppDeps["https"];
    /** ACME HTTP-01 challenges (routes/acme-challenge.ts). */
    acmeChallenge?: AppDeps["acmeChallenge"];
    /** Signed update requests (http/signed-request.ts), nonces in the fixture's store. */
    signatures?: boolean;
  } = {},
): Promise<Fixture> {
  const store = opts.store ?? createMemoryStore();
  let now = 1_700_000_000_000;
  const clock = () => now;
  const events: string[] = [];
  const logs: LogLine[] = [];
  const log = recordingLog(logs);
  const listener = recordingListener(events);
  const queue = createWriteQueue();
  const limits =
    opts.limits &&
    createLimits({
      rates: opts.limits,
      buckets: createBuckets({ clock, store }),
      flags: createAbuseFlags({ store, clock, log }),
    });
  const tokens = createTokenService({ store, clock, log });
  const zones = createZoneService({ store, clock, listener, queue });
  const inner = createUpdateService({
    store,
    clock,
    listener,
    log,
    allowNonGlobal: opts.allowNonGlobal ?? false,
    queue,
    ...(limits === undefined ? {} : { limits }),
  });
  const updates = opts.decorate?.(inner) ?? inner;
  await zones.addZone("example.com");
  for (const h of opts.hosts ?? ["home.example.com", "office.example.com", "lab.example.com"])
    await zones.addHost(h);
  events.length = 0;
  const app = createApp({
    tokens,
    updates,
    zones,
    store,
    log,
    clock,
    clientAddress: (c) => (c.env as { remote?: string } | undefined)?.remote,
    overTls: (c) => (c.env as { tls?: boolean } | undefined)?.tls === true,
    ...(opts.https === undefined ? {} : { https: opts.https }),
    trustedProxies: opts.trustedProxies ?? [],
    version: "0.0.0-test",
    ...(limits === undefined ? {} : { limitClient: (scope, ip) => limits.client(scope, ip) }),
    ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
    ...opts.pools,
    ...(opts.jwt === undefined ? {} : { jwt: opts.jwt }),
    ...(opts.acmeChallenge === undefined ? {} : { acmeChallenge: opts.acmeChallenge }),
    ...(opts.sampleCompat === true
      ? { sampleCompat: createSampleCompat({ store, updates, clock, log }) }
      : {}),
    ...(opts.signatures === true
      ? {
          signatures: createRequestSignatures({
            tokens: store,
            replay: store,
            clock,
            log,
            admit: (t, ip) => tokens.admit(t, ip),
          }),
        }
      : {}),
  });
  return {
    app,
    store,
    tokens,
    zones,
    updates,
    events,
    logs,
    setNow: (ms) => void (now = ms),
    async token(names, o = {}) {
      const { token } = await tokens.create({
        label: "test",
        names: names.map((name) => ({ name, subtree: o.subtree ?? false })),
        types: o.types ?? ["A", "AAAA"],
        ...(o.allowedCidrs ? { allowedCidrs: o.allowedCidrs } : {}),
      });
      return token;
    },
    async request(path, init = {}, socketAddress = CLIENT_V4) {
      return app.request(path, init, { remote: socketAddress });
    },
    async rrsets(fqdn) {
      return (await store.getRRSets(fqdn)).map(({ type, ttl, values }) => ({ type, ttl, values }));
    },
  };
}

/** Headers for a dyndns2 request with Basic auth. */
export function basic(
  user: string,
  password: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { authorization: `Basic ${btoa(`${user}:${password}`)}`, "user-agent": UA, ...extra };
}
