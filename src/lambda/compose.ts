// The Lambda function's composition, once per cold start: from the settings (ServerConfig, read from
// the environment by main.ts) and a store, the same app `beacon serve` runs (http/app.ts), with
// - the write services of every composition root (services/write-services.ts);
// - the client address from the event's request context only, and no trusted proxies;
// - no admin console and no /metrics (this edition has neither, docs/serverless.md);
// - the update limits on, their buckets in the store: read here (cold start) and flushed at the end
//   of every invocation by the handler — Lambda freezes the process between invocations, so no
//   background timer can be relied on. Every bucket is written and shared, as between PostgreSQL
//   nodes (cli/bucket-sharing.ts): concurrent instances share one budget per client;
//   the hosts' abuse flags are read at cold start only (a flag cleared with the CLI is seen by
//   instances started after);
// - for each zone of `serverless.route53_zones`: the zone, and a mirror `route53-<zone, dots as
//   dashes>` of provider route53 holding `{ hosted_zone_id }`, created when the store lacks them (an
//   existing mirror is left as it is, with a warning when its hosted zone differs);
// - updates acknowledged only once Route 53 took them (`ack.acknowledgeUpdates`) and the scheduled
//   retry (`ack.drainAll`), both given a provider built at each call with the function's own
//   credentials read then from `env` (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//   Lambda rotates them), never stored. Only route53 mirrors are delivered here.
// Rejects (and composes nothing) when the store cannot be read or a zone or mirror cannot be created.

import { randomBytes } from "node:crypto";
import type { ServerConfig } from "../config/index.js";
import type { Clock } from "../core/clock.js";
import { BeaconError } from "../core/errors.js";
import type { Log } from "../core/log.js";
import type { Timers } from "../core/timers.js";
import { createDnsExchange } from "../dns/client/exchange.js";
import { createApp } from "../http/app.js";
import { createSampleCompat } from "../services/sample-compat.js";
import { createHttpRequest } from "../net/http-request.js";
import { route53Provider } from "../providers/route53/route53.js";
import type { Provider, ProviderDeps } from "../providers/types.js";
import type { AcknowledgeDeps } from "../services/acknowledged-updates.js";
import type { UpdateService } from "../services/apply-update.js";
import { loadUpdateLimits } from "../services/limits/load-limits.js";
import type { DrainDeps, DrainSummary } from "../services/mirror/drain.js";
import { createMirrorService } from "../services/mirror/mirrors.js";
import { createWriteServices } from "../services/write-services.js";
import type { ZoneService } from "../services/zones.js";
import { NO_LISTENER } from "../store/change-listener.js";
import type { Store } from "../store/ports.js";
import type { MirrorTarget } from "../store/types.js";
import { clientAddress, type LambdaRuntime } from "./handler.js";

/** services/acknowledged-updates.ts and services/mirror/drain.ts (main.ts); tests pass stand-ins. */
export interface AckLayer {
  acknowledgeUpdates(updates: UpdateService, deps: AcknowledgeDeps): UpdateService;
  drainAll(deps: DrainDeps & { readonly budgetMs: number }): Promise<DrainSummary>;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ComposeDeps {
  readonly config: ServerConfig;
  readonly store: Store;
  /** The process environment, read at each Route 53 call for the function's credentials. */
  readonly env: Env;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly log: Log;
  readonly ack: AckLayer;
  readonly version: string;
}

/** The scheduled retry may use this much of an invocation (the CDK stack's timeout is 10 s). */
export const SCHEDULE_BUDGET_MS = 8_000;

export async function composeLambda(d: ComposeDeps): Promise<LambdaRuntime> {
  const { config, store, clock, log } = d;
  const limits = await loadUpdateLimits({
    rates: config.limits,
    store,
    clock,
    log,
    persistFromMs: 0,
    shared: true,
  });
  const services = createWriteServices({
    store,
    clock,
    log,
    listener: NO_LISTENER,
    limits: limits.limits,
    allowNonGlobal: config.updates.allowNonGlobal,
    historyPerHost: config.history.maxEntriesPerHost,
  });
  await ensureZones(config.serverless.route53Zones, store, services.zones, clock, log);

  const provider = route53From(d);
  const node = `lambda/${randomBytes(6).toString("hex")}`;
  const deliveryTimeoutMs = config.serverless.deliveryTimeoutMs;
  const ackDeps = (budgetMs: number): AcknowledgeDeps => ({
    store,
    provider,
    clock,
    timers: d.timers,
    log,
    node,
    budgetMs,
    deliveryTimeoutMs,
  });
  const updates = d.ack.acknowledgeUpdates(services.updates, ackDeps(deliveryTimeoutMs));
  const app = createApp({
    tokens: services.tokens,
    updates,
    zones: services.zones,
    store,
    log,
    clock,
    clientAddress,
    limitClient: (scope, ip) => limits.limits.client(scope, ip),
    trustedProxies: [],
    maxBodyBytes: config.http.maxBodyBytes,
    version: d.version,
    // compat.aws_sample: the AWS sample's protocol at / for hosts with a sample credential.
    ...(config.compat.awsSample ? { sampleCompat: createSampleCompat({ store, updates, clock, log }) } : {}),
  });
  return {
    fetch: (req, env) => app.fetch(req, env),
    onSchedule: () => d.ack.drainAll(ackDeps(SCHEDULE_BUDGET_MS)),
    afterInvocation: () => limits.buckets.flush(),
  };
}

/** The mirror id of a zone: "route53-dyn-example-com" (MIRROR_ID: at most 63 characters). */
export function route53MirrorId(zone: string): string {
  return `route53-${zone.replace(/[^a-z0-9_-]/g, "-")}`.slice(0, 63).replace(/[-_]+$/, "");
}

async function ensureZones(
  zones: ServerConfig["serverless"]["route53Zones"],
  store: Store,
  service: ZoneService,
  clock: Clock,
  log: Log,
): Promise<void> {
  const mirrors = createMirrorService({ store, clock, checkSettings: () => {} });
  for (const { zone, hostedZoneId } of zones) {
    if ((await store.getZone(zone)) === undefined) await tolerate("zone_exists", () => service.addZone(zone));
    const id = route53MirrorId(zone);
    const existing = await store.getMirror(id);
    if (existing === undefined) {
      const settings = { hosted_zone_id: hostedZoneId };
      await tolerate("mirror_exists", () => mirrors.add(id, { zone, provider: "route53", settings }));
    } else if (existing.settings["hosted_zone_id"] !== hostedZoneId) {
      log.warn(
        { mirror: id, stored: existing.settings["hosted_zone_id"], configured: hostedZoneId },
        "the mirror exists with another hosted zone; the stored one is used (beacon mirror remove it to change)",
      );
    }
  }
}

/** Another instance starting at the same moment may create it first. */
async function tolerate(code: string, create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!(e instanceof BeaconError && e.code === code)) throw e;
  }
}

function route53From(d: ComposeDeps): (m: MirrorTarget) => Provider {
  const deps: ProviderDeps = {
    httpRequest: createHttpRequest(),
    dnsExchange: createDnsExchange(),
    clock: d.clock,
    userAgent: `Beacon-Lambda/${d.version}`,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  };
  const endpoint = d.config.serverless.route53Endpoint;
  return (m) => {
    if (m.provider !== "route53")
      throw new BeaconError(
        "config_invalid",
        `mirror ${m.id}: the Lambda function delivers to route53 mirrors only`,
      );
    const { env } = d;
    const parsed = route53Provider.settings.safeParse({
      ...m.settings,
      access_key_id: env["AWS_ACCESS_KEY_ID"],
      secret_access_key: env["AWS_SECRET_ACCESS_KEY"],
      ...(env["AWS_SESSION_TOKEN"] ? { session_token: env["AWS_SESSION_TOKEN"] } : {}),
      region: "us-east-1",
      ...(endpoint === undefined ? {} : { endpoint }),
    });
    if (!parsed.success) {
      // Messages only (never values: two of these are secrets).
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new BeaconError(
        "config_invalid",
        `mirror ${m.id}: ${issues} (the function's AWS credentials come from its environment)`,
      );
    }
    return route53Provider.create(m.id, parsed.data, deps);
  };
}
