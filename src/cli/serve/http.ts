// The HTTP side of `beacon serve`, before it listens: the app (dyndns2, the JSON API, the admin
// console, the pools' routes and heartbeats, /metrics, the AWS sample's protocol if enabled) on the
// write services, told which requests came over TLS and what plain HTTP serves beside HTTPS
// (http/middleware/transport.ts), and the connection gate every HTTP and HTTPS listener shares
// (its caps lowered to fit the open-file limit; its report timer runs until stop()).

import { getConnInfo } from "@hono/node-server/conninfo";
import type { IncomingMessage } from "node:http";
import { TLSSocket } from "node:tls";
import type { Registry } from "prom-client";
import type { ServerConfig } from "../../config/index.js";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { createApp } from "../../http/app.js";
import type { AdminDeps } from "../../http/deps.js";
import type { Heartbeats, PoolAdmin } from "../../services/health/ports.js";
import { createHttpRequest } from "../../net/http-request.js";
import { createIssuerKeys } from "../../services/oidc/issuer-keys.js";
import { createJwtAuthenticator } from "../../services/oidc/jwt-auth.js";
import { createRequestSignatures } from "../../services/request-signatures.js";
import { createSampleCompat } from "../../services/sample-compat.js";
import type { Store } from "../../store/ports.js";
import { httpConnections, type HttpConnections, type listenHttp } from "../http-server.js";
import { openFileLimit } from "../open-files.js";
import { VERSION } from "../version.js";
import type { Writes } from "./updates.js";

export interface HttpSide {
  readonly fetch: Parameters<typeof listenHttp>[0];
  readonly connections: HttpConnections;
}

export function wireHttp(d: {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Log;
  readonly writes: Pick<Writes, "tokens" | "updates" | "zones" | "limits">;
  /** Served on GET /metrics; the connection metrics are added to it. */
  readonly metrics: Registry;
  readonly admin: AdminDeps;
  /** Health-checked pools: their admin routes and the heartbeat endpoints. */
  readonly pools: PoolAdmin & Heartbeats;
  /** The first HTTPS listener's port, once it listens: where plain requests are redirected. */
  readonly httpsPort: () => number | undefined;
  /** ACME HTTP-01 challenges (cli/serve/acme.ts); undefined: not served. */
  readonly acmeChallenge: ((token: string) => string | undefined) | undefined;
}): HttpSide {
  const { config, store, clock, log, writes, metrics } = d;
  const app = createApp({
    tokens: writes.tokens,
    updates: writes.updates,
    zones: writes.zones,
    store,
    log,
    clock,
    clientAddress: (c) => getConnInfo(c).remote.address,
    // From the socket, never the URL: a client picks the scheme of an absolute-form request target.
    overTls: (c) => (c.env as { incoming?: IncomingMessage }).incoming?.socket instanceof TLSSocket,
    https: {
      // Without an HTTPS listener, plain HTTP is all there is (or a proxy terminates TLS in front).
      plain: config.http.tls.listen.length === 0 ? "all" : config.http.plain,
      hsts: config.http.tls.hsts,
      port: d.httpsPort,
      publicUrl: config.http.publicUrl,
    },
    limitClient: (scope, ip) => writes.limits.limits.client(scope, ip),
    trustedProxies: config.http.trustedProxies,
    maxBodyBytes: config.http.maxBodyBytes,
    version: VERSION,
    metrics,
    admin: d.admin,
    pools: d.pools,
    heartbeats: d.pools,
    // Keyless updates (docs/protocols/oidc.md): the trust rules (`beacon trust`) are read per JWT.
    jwt: createJwtAuthenticator({
      store,
      clock,
      log,
      keys: createIssuerKeys({ http: createHttpRequest(), clock }),
    }),
    ...(d.acmeChallenge === undefined ? {} : { acmeChallenge: d.acmeChallenge }),
    // Signed update requests (docs/protocols/signed-requests.md); nonces shared through the store.
    signatures: createRequestSignatures({
      tokens: store,
      replay: store,
      clock,
      log,
      windowSeconds: config.http.signatureWindowSeconds,
      admit: (token, ip) => writes.tokens.admit(token, ip),
    }),
    // compat.aws_sample: the AWS sample's protocol at / (docs/protocols/aws-sample.md).
    ...(config.compat.awsSample
      ? { sampleCompat: createSampleCompat({ store, updates: writes.updates, clock, log }) }
      : {}),
  });
  return {
    fetch: app.fetch,
    connections: httpConnections(config.http, log, clock, metrics, openFileLimit()),
  };
}
