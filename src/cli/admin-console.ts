// Wiring of the admin console for `beacon serve`: sign-in services, the first-run setup code, the
// update/query rate sampler and the extra services the admin API uses. Only composition happens here.
// On PostgreSQL (several nodes) the sign-in limiter also counts failures in budgets all nodes share
// (services/auth/shared-login-limiter.ts, flushed as bucket-sharing.ts says); on SQLite it is the
// process's own, as before.

import type { ServerConfig } from "../config/index.js";
import type { CertificateStatus } from "../core/certificates.js";
import type { Clock } from "../core/clock.js";
import { BeaconError } from "../core/errors.js";
import type { AdminDeps } from "../http/deps.js";
import { PROVIDER_TYPES } from "../providers/registry.js";
import { createLoginChallenges } from "../services/auth/login-challenges.js";
import { createLoginLimiter, type LoginLimiter } from "../services/auth/login-limiter.js";
import { createSecondFactor } from "../services/auth/second-factor.js";
import { shareLoginLimiter } from "../services/auth/shared-login-limiter.js";
import { createSessionService } from "../services/auth/sessions.js";
import { generateSetupCode } from "../services/auth/setup-code.js";
import { createUserService } from "../services/auth/users.js";
import { createKeyService } from "../services/keys.js";
import type { AbuseFlags } from "../services/limits/abuse-flags.js";
import { createMirrorService } from "../services/mirror/mirrors.js";
import { createBuckets } from "../services/limits/buckets.js";
import { createRateSampler } from "../services/rates.js";
import type { Store } from "../store/ports.js";
import type { AcmeStatus } from "../services/acme/renewal.js";
import { bucketSharing, startFlushing } from "./bucket-sharing.js";
import { checkMirrorSettings, describeIssues } from "./mirror-provider.js";
import { webAssets } from "./web-assets.js";

const RATE_INTERVAL_MS = 10_000;
const PRUNE_EVERY_MS = 60 * 60_000;

export interface AdminConsole {
  readonly deps: AdminDeps;
  /** Set while no admin exists (and admin.setup is on): print it with the console's URL. */
  readonly setupCode: () => string | undefined;
  stop(): void;
}

export interface AdminConsoleDeps {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly clock: Clock;
  /** Every host outcome decided so far (the update service's `counted`). */
  readonly updates: () => number;
  /** Every DNS message received so far (all transports, all workers). */
  readonly queries: () => number;
  readonly keysChanged: () => Promise<void>;
  readonly mirrorsChanged: () => void;
  readonly flags: AbuseFlags;
  /** The HTTPS certificate served now (serve/tls.ts); none without http.tls.listen. */
  readonly certificate?: (() => CertificateStatus | undefined) | undefined;
  /** Automatic certificates, shown on the server page; none when ACME is off. */
  readonly acme?: () => AcmeStatus;
}

export async function createAdminConsole(d: AdminConsoleDeps): Promise<AdminConsole> {
  const { config, store, clock } = d;
  const users = createUserService({ store, clock });
  const sessions = createSessionService({
    store,
    clock,
    idleMs: config.admin.sessionIdleMs,
    lifetimeMs: config.admin.sessionLifetimeMs,
  });
  let code = config.admin.setup && (await users.count()) === 0 ? generateSetupCode() : undefined;

  const counters = () => ({ updates: d.updates(), queries: d.queries() });
  const sampler = createRateSampler({
    read: counters,
    clock,
    intervalMs: RATE_INTERVAL_MS,
  });
  sampler.sample();
  const timers = [
    setInterval(() => sampler.sample(), RATE_INTERVAL_MS),
    setInterval(() => void sessions.prune().catch(() => undefined), PRUNE_EVERY_MS),
  ];
  for (const t of timers) t.unref();
  const limiter = signInLimiter(config, store, clock);

  return {
    setupCode: () => code,
    stop: () => {
      timers.forEach(clearInterval);
      void limiter.stop();
    },
    deps: {
      signIn: {
        users,
        sessions,
        limiter: limiter.limiter,
        secondFactor: createSecondFactor({ store, clock }),
        challenges: createLoginChallenges({ store, clock }),
        setupCode: () => code,
        onSetupDone: () => (code = undefined),
      },
      keys: createKeyService({ store, clock }),
      flags: d.flags,
      mirrors: createMirrorService({
        store,
        clock,
        checkSettings: (id, provider, settings) => {
          const r = checkMirrorSettings(id, provider, settings);
          if (!r.ok) throw new BeaconError("bad_request", describeIssues(id, r.issues));
        },
      }),
      // Intervals come from the sampler; totals are read now, so a fresh update shows at once.
      rates: () => ({ ...sampler.series(), totals: counters() }),
      ...(d.acme === undefined ? {} : { acme: d.acme }),
      providers: [...PROVIDER_TYPES.values()].map((p) => ({
        type: p.type,
        title: p.description,
        settings: p.settings,
      })),
      keysChanged: d.keysChanged,
      ...(d.certificate === undefined ? {} : { certificate: d.certificate }),
      mirrorsChanged: d.mirrorsChanged,
      publicUrl: config.http.publicUrl,
      assets: webAssets,
    },
  };
}

/** The process's own limiter; on PostgreSQL with budgets shared by the nodes, and their flushing. */
function signInLimiter(
  config: ServerConfig,
  store: Store,
  clock: Clock,
): { readonly limiter: LoginLimiter; stop(): Promise<void> } {
  const local = createLoginLimiter({ clock });
  const sharing = bucketSharing(config.store);
  if (!sharing.shared) return { limiter: local, stop: () => Promise.resolve() };
  const buckets = createBuckets({ clock, store, ...sharing });
  return { limiter: shareLoginLimiter(local, buckets), ...startFlushing(buckets, sharing.flushEveryMs) };
}
