// What the admin routes need, injected by the composition root (src/cli/serve.ts) like AppDeps.
// The services enforce the rules and tell the DNS index; the two callbacks reach what the services do
// not: the DNS server's cached TSIG keyring and the mirror delivery worker.

import type { CertificateStatus } from "../../../core/certificates.js";
import type { Context } from "hono";
import type { z } from "zod";
import type { Clock } from "../../../core/clock.js";
import type { UpdateService } from "../../../services/apply-update.js";
import type { KeyService } from "../../../services/keys.js";
import type { AbuseFlags } from "../../../services/limits/abuse-flags.js";
import type { MirrorService } from "../../../services/mirror/mirrors.js";
import type { PoolAdmin } from "../../../services/health/ports.js";
import type { Log } from "../../../core/log.js";
import type { RateSeries } from "../../../services/rates.js";
import type { AcmeStatus } from "../../../services/acme/renewal.js";
import type { TokenService } from "../../../services/tokens.js";
import type { ZoneService } from "../../../services/zones.js";
import type {
  HostHistoryStore,
  MirrorStore,
  SampleCredentialStore,
  TokenStore,
  ZoneStore,
} from "../../../store/ports.js";

export interface ProviderChoice {
  readonly type: string;
  readonly title?: string;
  /** Its settings schema, which marks the secret settings (providers/kit/secrets.ts); never sent. */
  readonly settings?: z.ZodType;
}

/**
 * What the admin routes read from the store themselves (every change goes through the services): a
 * host's sets, zone TTL and history (hosts.ts), hosts and mirrors per zone (zones.ts), a token
 * (tokens.ts), the totals (stats.ts), a host's AWS-sample credential (hosts.ts; never its secret). Each
 * route takes its own part (RouteDeps).
 */
export type AdminStore = HostHistoryStore &
  Pick<ZoneStore, "getZone" | "listZones" | "listHosts" | "getRRSets"> &
  Pick<MirrorStore, "listMirrors"> &
  Pick<TokenStore, "getToken" | "listTokens"> &
  Pick<SampleCredentialStore, "getSampleCredential">;

export interface AdminRouteDeps {
  readonly zones: ZoneService;
  readonly tokens: TokenService;
  readonly keys: KeyService;
  readonly mirrors: MirrorService;
  readonly updates: UpdateService;
  /** Reads only (AdminStore). */
  readonly store: AdminStore;
  /** Hosts flagged for update abuse (shown in host views; the admin clears them). */
  readonly flags: Pick<AbuseFlags, "list" | "clear">;
  /** The rate sampler's current window (RateSampler.series). */
  readonly rates: () => RateSeries;
  /** Automatic certificates (services/acme), for GET /stats; none when ACME is off. */
  readonly acme?: () => AcmeStatus;
  /** Provider types for the mirror form (providers/registry.ts), sorted as they should be shown. */
  readonly providers: readonly ProviderChoice[];
  /** Called after a TSIG key was added or removed: reload the DNS server's keyring. Must not reject. */
  readonly keysChanged: () => Promise<void>;
  /** Called after mirrors were added, removed or resynced (or a zone deleted): kick the worker. */
  readonly mirrorsChanged: () => void;
  /** Health-checked pools; without them the /pools routes answer 404 not_found. */
  readonly pools?: PoolAdmin;
  /** Called after a pool was put, deleted or a member overridden: the health service re-reads it. */
  readonly poolsChanged?: () => void;
  /** `http.public_url`: the base URL written into client configurations; else the request's origin. */
  readonly publicUrl: string | undefined;
  /** As AppDeps: the socket peer, and the proxies whose X-Forwarded-Proto/-Host are believed. */
  readonly clientAddress: (c: Context) => string | undefined;
  readonly trustedProxies: readonly string[];
  readonly clock: Clock;
  readonly log: Log;
  readonly version: string;
  /** Largest JSON body accepted (http.max_body_bytes); default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Beacon's own HTTPS (http.tls.listen): the certificate served now, undefined before one is. None: no HTTPS. */
  readonly certificate?: () => CertificateStatus | undefined;
}

/** AdminRouteDeps for a route that reads only `S` of the store. */
export type RouteDeps<S> = Omit<AdminRouteDeps, "store"> & { readonly store: S };
