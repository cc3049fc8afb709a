// The built configuration of `beacon serve`: validated, defaults applied, paths absolute, names and
// CIDRs canonical. Everything outside src/config receives this, never raw files, env or flags.

import type { LimitRates } from "../core/rate.js";
import type { PostgresTarget } from "./postgres-url.js";
import type { DynamoTarget } from "./store-choice.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** `auto`: readable lines on a terminal, JSON lines otherwise (pipes, files, journald). */
export type LogFormat = "auto" | "json" | "pretty";

export const LOG_FORMATS: readonly LogFormat[] = ["auto", "json", "pretty"];

/** What plain-HTTP listeners serve beside HTTPS (http/routes-policy.ts): `updates` or `all`. */
export type PlainRoutes = "all" | "updates";

export const PLAIN_ROUTES: readonly PlainRoutes[] = ["updates", "all"];

/** Oldest TLS version the HTTPS listeners accept; nothing older than 1.2 is offered. */
export type TlsVersion = "TLSv1.2" | "TLSv1.3";

export const TLS_VERSIONS: readonly TlsVersion[] = ["TLSv1.2", "TLSv1.3"];

/** A listen address. `host` is a canonical IP (IPv6 without brackets) or a lowercase hostname. */
export interface HostPort {
  readonly host: string;
  /** 0–65535; 0 asks the OS for a free port (tests). */
  readonly port: number;
}

export interface ServerConfig {
  /** Absolute. */
  readonly dataDir: string;
  readonly store: {
    /** Absolute; `<dataDir>/beacon.db` unless set. Unused when `postgres` is set. */
    readonly sqlitePath: string;
    /** Set: PostgreSQL is the store (store.postgres_url or _file). Its `url` is a secret. */
    readonly postgres: PostgresTarget | undefined;
    /** Set: the serverless edition's DynamoDB table is the store (store.dynamodb_table); admin commands only. */
    readonly dynamodb: DynamoTarget | undefined;
  };
  readonly http: {
    /** May be empty (no HTTP listener). */
    readonly listen: readonly HostPort[];
    /** Canonical CIDRs (a single IP becomes /32 or /128). */
    readonly trustedProxies: readonly string[];
    readonly maxBodyBytes: number;
    /** `http.public_url`: origin + path, no trailing slash; undefined: use the request's origin. */
    readonly publicUrl: string | undefined;
    readonly maxConnections: number;
    /** 0: no per-client limit. */
    readonly maxConnectionsPerClient: number;
    readonly idleTimeoutMs: number;
    readonly headersTimeoutMs: number;
    /** What the plain listeners serve while `tls.listen` is non-empty; without HTTPS they serve all. */
    readonly plain: PlainRoutes;
    /** HTTPS served by Beacon itself (docs/deploy/tls.md). */
    readonly tls: {
      /** Empty: no HTTPS listener. */
      readonly listen: readonly HostPort[];
      /** Absolute; both set or both undefined (undefined: a certificate is installed later, by ACME). */
      readonly certFile: string | undefined;
      readonly keyFile: string | undefined;
      readonly minVersion: TlsVersion;
      readonly hsts: boolean;
    };
    /** `http.signature_window`: accepted distance of a signed request's `created` from now. */
    readonly signatureWindowSeconds: number;
  };
  readonly dns: {
    /** UDP and TCP on each. May be empty (no DNS listener). */
    readonly listen: readonly HostPort[];
    readonly tcpIdleTimeoutMs: number;
    readonly maxTcpConnections: number;
    /** UDP query worker processes (src/dns/workers); 0: UDP is answered in the server process. */
    readonly workers: number;
    readonly limits: DnsLimits;
    readonly transfer: {
      /** Canonical CIDRs allowed to AXFR/IXFR; empty: nobody. */
      readonly allow: readonly string[];
      /** Canonical TSIG key names; when non-empty a transfer must be signed by one of them. */
      readonly keys: readonly string[];
      /** NOTIFY targets; `host` is an IP literal. */
      readonly notify: readonly HostPort[];
      readonly notifyKey: string | undefined;
      readonly notifyRetries: number;
      /** The RFC 9432 catalog zone's name (canonical); undefined: no catalog. */
      readonly catalog?: string | undefined;
    };
    /** RFC 2136 UPDATE (src/dns/update). */
    readonly update: {
      readonly allowMd5: boolean;
      /** Seconds. */
      readonly maxFudge: number;
    };
  };
  /** The admin console's sign-in. */
  readonly admin: {
    readonly sessionIdleMs: number;
    readonly sessionLifetimeMs: number;
    /** Print a one-time setup code while no user exists. */
    readonly setup: boolean;
  };
  readonly updates: {
    readonly allowNonGlobal: boolean;
  };
  /** Update abuse controls (services/limits/update-limits.ts); an empty list is no limit. */
  readonly limits: LimitRates;
  /** The serverless edition (src/lambda, docs/serverless.md). */
  readonly serverless: {
    /** The zones served, each with its Route 53 hosted zone id (bare: "Z0123…"); zones canonical. */
    readonly route53Zones: readonly { readonly zone: string; readonly hostedZoneId: string }[];
    /** Undefined: Route 53's global endpoint. */
    readonly route53Endpoint: string | undefined;
    readonly deliveryTimeoutMs: number;
  };
  /** Retention of the pools' transitions and probe roll-ups (docs/pools.md). */
  readonly pools: {
    /** Undefined: the host name. */
    readonly nodeName: string | undefined;
    readonly transitionsMaxAgeMs: number;
    readonly rollupsMaxAgeMs: number;
  };
  /** Automatic certificates (services/acme, docs/deploy/acme.md). */
  readonly acme: AcmeSettings;
  /** Other DDNS protocols served beside Beacon's own. */
  readonly compat: {
    /** The AWS sample's protocol at / (http/routes/aws-sample.ts, docs/protocols/aws-sample.md). */
    readonly awsSample: boolean;
  };
  /** Retention of the update history (services/history.ts). */
  readonly history: {
    readonly maxEntriesPerHost: number;
    readonly maxAgeMs: number;
  };
  readonly demo: {
    readonly enabled: boolean;
    /** Canonical (core/names normalizeName). */
    readonly zone: string;
  };
  readonly log: {
    readonly level: LogLevel;
    readonly format: LogFormat;
  };
  readonly shutdownGraceMs: number;
  readonly source: {
    /** Absolute path of the YAML file read, if any. */
    readonly file?: string;
  };
}

/** dns.limits: abuse resistance (response-rate limiting on UDP, bounds on TCP connections and messages). */
export interface DnsLimits {
  /** 0 disables response-rate limiting. */
  readonly rrlResponsesPerSecond: number;
  readonly rrlWindowSeconds: number;
  readonly rrlSlip: number;
  readonly rrlIpv4PrefixLength: number;
  readonly rrlIpv6PrefixLength: number;
  readonly rrlTableSize: number;
  /** Canonical CIDRs. */
  readonly rrlExempt: readonly string[];
  /** Per client network (tcpIpv4PrefixLength / tcpIpv6PrefixLength). */
  readonly maxTcpConnectionsPerClient: number;
  readonly tcpIpv4PrefixLength: number;
  readonly tcpIpv6PrefixLength: number;
  /** TCP connections kept for dns.transfer.allow peers beyond dns.maxTcpConnections. */
  readonly tcpTransferConnections: number;
  readonly tcpLifetimeMs: number;
  readonly maxTcpQueuedReplies: number;
  readonly maxMessageBytes: number;
}

/** `auto`: dns-01 when every name is inside a zone Beacon serves, else http-01. */
export type AcmeChallengeChoice = "auto" | "dns-01" | "http-01";

/** acme.*: names canonical and non-empty when enabled; caFile absolute. */
export interface AcmeSettings {
  readonly enabled: boolean;
  readonly directoryUrl: string;
  readonly email: string | undefined;
  readonly names: readonly string[];
  readonly challenge: AcmeChallengeChoice;
  readonly caFile: string | undefined;
  readonly renewBeforeMs: number;
  readonly keyType: "ecdsa" | "rsa";
}
