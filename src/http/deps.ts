// What the HTTP app needs from the outside world. Everything is injected so the same app runs under
// Node, Lambda or a test's `app.request(...)`.

import type { Context } from "hono";
import type { Registry } from "prom-client";
import type { CertificateStatus } from "../core/certificates.js";
import type { Clock } from "../core/clock.js";
import type { ParsedIp } from "../core/ip.js";
import type { UpdateService } from "../services/apply-update.js";
import type { Log } from "../core/log.js";
import type { TokenService } from "../services/tokens.js";
import type { JwtAuthenticator } from "../services/oidc/jwt-auth.js";
import type { ZoneService } from "../services/zones.js";
import type { LoginChallenges } from "../services/auth/login-challenges.js";
import type { LoginLimiter } from "../services/auth/login-limiter.js";
import type { SecondFactor } from "../services/auth/second-factor.js";
import type { SessionService } from "../services/auth/sessions.js";
import type { UserService } from "../services/auth/users.js";
import type { KeyService } from "../services/keys.js";
import type { AbuseFlags } from "../services/limits/abuse-flags.js";
import type { MirrorService } from "../services/mirror/mirrors.js";
import type { RateSeries } from "../services/rates.js";
import type { AcmeStatus } from "../services/acme/renewal.js";
import type { SampleCompat } from "../services/sample-compat.js";
import type { RequestSignatures } from "../services/request-signatures.js";
import type { ClientScope } from "../services/limits/update-limits.js";
import type { Heartbeats, PoolAdmin } from "../services/health/ports.js";
import type { SessionRecord, TokenRecord } from "../store/types.js";
import type { HostHistoryStore, MirrorStore, StoreLifecycle, ZoneStore } from "../store/ports.js";
import type { HttpsPolicy } from "./middleware/transport.js";
import type { AssetReader } from "./pages/assets.js";
import type { AdminStore, ProviderChoice } from "./routes/admin/deps.js";
import type { SessionUser } from "./session/guard.js";

/**
 * What the app reads from the store itself; every change goes through the services. /healthz: a cheap
 * read and whether it takes writes; /api/v1: a host's history and the mirrors' state; the admin
 * routes, which get the same store: AdminStore.
 */
export type AppStore = Pick<ZoneStore, "getZone"> &
  Pick<StoreLifecycle, "health"> &
  HostHistoryStore &
  Pick<MirrorStore, "mirrorStatus"> &
  AdminStore;

export interface AppDeps {
  readonly tokens: TokenService;
  readonly updates: UpdateService;
  readonly zones: ZoneService;
  readonly store: AppStore;
  readonly log: Log;
  readonly clock: Clock;
  /** The peer address of the connection (Node: getConnInfo(c).remote.address); undefined if unknown. */
  readonly clientAddress: (c: Context) => string | undefined;
  /** True when the request came over a TLS connection (Node: the socket is a TLSSocket). None: never. */
  readonly overTls?: (c: Context) => boolean;
  /** Beacon's own HTTPS: what plain HTTP serves, HSTS (middleware/transport.ts). None: all, no HSTS. */
  readonly https?: HttpsPolicy;
  /** CIDRs (or bare addresses) of reverse proxies whose X-Forwarded-For (and -Proto) is believed. */
  readonly trustedProxies: readonly string[];
  readonly version: string;
  /** Largest JSON request body accepted (http.max_body_bytes); default 64 KiB. */
  readonly maxBodyBytes?: number;
  /**
   * Per-client-network limits of the update endpoints and /ip (services/limits): the wait in ms, or
   * undefined to go ahead. None: nothing is limited per client.
   */
  readonly limitClient?: (scope: ClientScope, ip: ParsedIp | undefined) => number | undefined;
  /** Served as Prometheus text on GET /metrics; no such route without it. */
  readonly metrics?: Registry;
  /** The admin console: sign-in, /api/v1/admin and the /admin/ pages; none of them without it. */
  readonly admin?: AdminDeps;
  /** Health-checked pools (docs/pools.md): the pool routes answer 404 not_found without them. */
  readonly pools?: PoolAdmin;
  /** Push health: POST /api/v1/heartbeat and GET /nic/heartbeat answer 404 not_found without it. */
  readonly heartbeats?: Heartbeats;
  /** The AWS sample's protocol at / (routes/aws-sample.ts, `compat.aws_sample`); not served without it. */
  readonly sampleCompat?: SampleCompat;
  /**
   * Keyless updates (docs/protocols/oidc.md): a bearer JWT from a trusted OIDC issuer is checked
   * here instead of as a token. Without it a JWT is an unknown token (badauth / 401).
   */
  readonly jwt?: Pick<JwtAuthenticator, "authenticate">;
  /** ACME HTTP-01: the key authorization pending under a token (routes/acme-challenge.ts); none: 404. */
  readonly acmeChallenge?: (token: string) => string | undefined;
  /** Signed update requests (docs/protocols/signed-requests.md); without it signatures are ignored. */
  readonly signatures?: RequestSignatures;
}

/** What the admin console needs beyond the update API (docs/admin.md). */
export interface AdminDeps {
  readonly signIn: {
    readonly users: UserService;
    readonly sessions: SessionService;
    readonly limiter: LoginLimiter;
    readonly secondFactor: SecondFactor;
    readonly challenges: LoginChallenges;
    /** The first-run code printed in the log; undefined once an admin exists. */
    readonly setupCode: () => string | undefined;
    readonly onSetupDone: () => void;
  };
  readonly keys: KeyService;
  readonly mirrors: MirrorService;
  readonly flags: Pick<AbuseFlags, "list" | "clear">;
  readonly rates: () => RateSeries;
  readonly providers: readonly ProviderChoice[];
  /** Reloads the DNS server's TSIG keyring after a key was added or removed. Must not reject. */
  readonly keysChanged: () => Promise<void>;
  /** Kicks the mirror delivery worker. */
  readonly mirrorsChanged: () => void;
  /** Tells the health service a pool was added, replaced, deleted or overridden (re-read it). */
  readonly poolsChanged?: () => void;
  /** Automatic certificates (services/acme): shown by GET /stats; none: `acme: null`. */
  readonly acme?: () => AcmeStatus;
  /** `http.public_url`: written into client configurations and accepted as an Origin. */
  readonly publicUrl: string | undefined;
  /** The pages' files (web/). */
  readonly assets: AssetReader;
  /** Beacon's own HTTPS (http.tls.listen): the certificate served now, undefined before one is. None: no HTTPS. */
  readonly certificate?: () => CertificateStatus | undefined;
}

/** Per-request values set by the app's middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The client's address after the trusted-proxy rules; undefined when the runtime gave none. */
    clientIp: ParsedIp | undefined;
    /** Over TLS, or from a trusted proxy saying `X-Forwarded-Proto: https` (middleware/transport.ts). */
    secure: boolean;
    /** The authenticated token (set by the /api/v1 auth middleware). */
    token: TokenRecord | undefined;
    /** The signed-in admin (set by requireSession on /api/v1/admin). */
    user: SessionUser | undefined;
    session: SessionRecord | undefined;
  };
}
