// What the HTTP app needs from the outside world. Everything is injected so the same app runs under
// Node, Lambda or a test's `app.request(...)`.

import type { Context } from "hono";
import type { Registry } from "prom-client";
import type { Clock } from "../core/clock.js";
import type { ParsedIp } from "../core/ip.js";
import type { UpdateService } from "../services/apply-update.js";
import type { Log } from "../services/ports.js";
import type { TokenService } from "../services/tokens.js";
import type { ZoneService } from "../services/zones.js";
import type { Store, TokenRecord } from "../store/types.js";

export interface AppDeps {
  readonly tokens: TokenService;
  readonly updates: UpdateService;
  readonly zones: ZoneService;
  readonly store: Store;
  readonly log: Log;
  readonly clock: Clock;
  /** The peer address of the connection (Node: getConnInfo(c).remote.address); undefined if unknown. */
  readonly clientAddress: (c: Context) => string | undefined;
  /** CIDRs (or bare addresses) of reverse proxies whose X-Forwarded-For is believed. */
  readonly trustedProxies: readonly string[];
  readonly version: string;
  /** Largest JSON request body accepted (http.max_body_bytes); default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Served as Prometheus text on GET /metrics; no such route without it. */
  readonly metrics?: Registry;
}

/** Per-request values set by the app's middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The client's address after the trusted-proxy rules; undefined when the runtime gave none. */
    clientIp: ParsedIp | undefined;
    /** The authenticated token (set by the /api/v1 auth middleware). */
    token: TokenRecord | undefined;
  };
}
