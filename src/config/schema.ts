// The YAML schema of `beacon serve`, in the file's own shape (snake_case). It is the single source of
// truth: environment variable names, flag names, help and docs are derived from it (settings.ts), so a
// new setting is one new leaf here plus its line in build.ts.
//
// Every leaf is registered in `settingRegistry` with its kind (how env/flag strings are coerced) and a
// one-line help. Defaults use `prefault`, so a default passes through the same transforms as user input.

import { z } from "zod";
import { parseCidr, parseIp } from "../core/ip.js";
import { parseRate } from "../core/rate.js";
import { tryNormalizeName } from "../core/names.js";
import { formatDuration, parseDurationMs } from "./duration.js";
import { parseHostPort } from "./host-port.js";
import { parsePostgresUrl } from "./postgres-url.js";
import { splitList } from "./override.js";
import {
  LOG_FORMATS,
  LOG_LEVELS,
  PLAIN_ROUTES,
  TLS_VERSIONS,
  type LogFormat,
  type LogLevel,
  type PlainRoutes,
  type TlsVersion,
} from "./server-config.js";

/** How a string from the environment or a flag becomes a raw value before validation. */
export type SettingKind = "string" | "integer" | "boolean" | "list";

export interface SettingMeta {
  readonly kind: SettingKind;
  readonly help: string;
  /** Shown instead of the default value when the default is derived from another setting. */
  readonly defaultText?: string;
}

export const settingRegistry = z.registry<SettingMeta>();

/** Largest delay Node timers accept; larger values silently become 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** integer, boolean and logLevel are shared with the agent's schema so both word errors alike. */
export function integer(min: number, max: number) {
  const low = `expected an integer ≥ ${min}`;
  return z
    .int({ error: low })
    .min(min, { error: low })
    .max(max, { error: `expected an integer ≤ ${max}` });
}

export function boolean() {
  return z.boolean({ error: "expected true or false" });
}

function path(what: string) {
  return z.string({ error: `expected a ${what} path` }).min(1, { error: `expected a ${what} path` });
}

const hostPort = z.string({ error: "expected a host:port string" }).transform((s, ctx) => {
  const r = parseHostPort(s);
  if (r.ok) return r.value;
  ctx.addIssue({ code: "custom", message: r.error });
  return z.NEVER;
});

function hostPortList() {
  return z.array(hostPort, { error: "expected a list of host:port strings" });
}

/** host:port whose host is an IP literal (NOTIFY targets are sent to, never resolved). */
function ipHostPortList() {
  return z.array(
    hostPort.refine((hp) => parseIp(hp.host) !== undefined, { error: "expected an IP address as the host" }),
    { error: "expected a list of host:port strings" },
  );
}

const cidr = z.string({ error: "expected a CIDR or IP address string" }).transform((s, ctx) => {
  const c = parseCidr(s.trim());
  if (c !== undefined) return c;
  ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a valid CIDR or IP address` });
  return z.NEVER;
});

const domainName = z.string({ error: "expected a domain name" }).transform((s, ctx) => {
  const n = tryNormalizeName(s);
  if (n !== undefined) return n;
  ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a valid domain name` });
  return z.NEVER;
});

/**
 * "30m", "12h", "90s", "500ms", "365d" or a number of seconds (config/duration.ts) to milliseconds
 * within [minMs, maxMs]: the one duration setting of the server's and the agent's files.
 */
export function duration(minMs: number, maxMs: number) {
  const range = `between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`;
  return z.unknown().transform((v, ctx) => {
    const ms = parseDurationMs(v);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a duration like 30s, 5m or 1h` });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: "custom", message: `expected a duration ${range}` });
      return z.NEVER;
    }
    return ms;
  });
}

/** Rates such as ["2/2m", "300/1d"] (core/rate.ts); all are enforced at once; empty: no limit. */
function rates() {
  const expected = "expected rates such as 2/2m, 30/1s or 300/1d (events/period, units s m h d)";
  return z.array(
    z.string({ error: expected }).transform((s, ctx) => {
      const r = parseRate(s);
      if (r !== undefined) return r;
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(s.slice(0, 40))}: ${expected}` });
      return z.NEVER;
    }),
    { error: expected },
  );
}

/** An http(s) base URL without credentials, query or fragment; kept without a trailing slash. */
const baseUrl = z.string({ error: "expected an http(s) URL" }).transform((s, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(s.trim());
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    // The value is not quoted: it may hold a password.
    ctx.addIssue({
      code: "custom",
      message: "expected an http(s) URL without credentials, query or fragment",
    });
    return z.NEVER;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
});

const route53ZoneHelp = "expected zone=HOSTEDZONEID entries such as dyn.example.com=Z0123456789ABC";

/** serverless.route53_zones: "dyn.example.com=Z0123456789ABC"; an error quotes the entry. */
const route53Zone = z.string({ error: route53ZoneHelp }).transform((s, ctx) => {
  const [name = "", id = "", ...rest] = s.trim().split("=");
  const zone = tryNormalizeName(name.trim());
  const hostedZoneId = id.trim().replace(/^\/?hostedzone\//, "");
  if (zone !== undefined && rest.length === 0 && /^[A-Z0-9]{1,32}$/.test(hostedZoneId))
    return { zone, hostedZoneId };
  ctx.addIssue({ code: "custom", message: `${JSON.stringify(s.slice(0, 300))}: ${route53ZoneHelp}` });
  return z.NEVER;
});

/** acme.directory_url: an https URL (http only on loopback, for a local test CA). */
const acmeDirectoryUrl = z.string({ error: "expected an https URL" }).refine(
  (s) => {
    try {
      const url = new URL(s);
      const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
      return url.protocol === "https:" || (url.protocol === "http:" && loopback);
    } catch {
      return false;
    }
  },
  { error: "expected an https URL such as https://acme-v02.api.letsencrypt.org/directory" },
);

const acmeEmail = z
  .string({ error: "expected an email address" })
  .regex(/^[^\s@,;<>"]{1,64}@[A-Za-z0-9.-]{1,253}$/, { error: "expected an email address" });

const acmeChallenge = z.enum(["auto", "dns-01", "http-01"], { error: "expected auto, dns-01 or http-01" });

const acmeKeyType = z.enum(["ecdsa", "rsa"], { error: "expected ecdsa or rsa" });

/** store.postgres_url: the value is never quoted in an error (it may hold a password). */
const postgresUrl = z.string({ error: "expected a postgres:// or postgresql:// URL" }).transform((s, ctx) => {
  const r = parsePostgresUrl(s);
  if (r.ok) return r.value;
  ctx.addIssue({ code: "custom", message: r.error });
  return z.NEVER;
});

/** store.dynamodb_table: DynamoDB's own rule for table names. */
const dynamoTable = z.string({ error: "expected a DynamoDB table name" }).regex(/^[A-Za-z0-9_.-]{3,255}$/, {
  error: "expected a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -",
});

/** store.dynamodb_region: an AWS region name (eu-west-1, us-gov-west-1, cn-north-1). */
const awsRegion = z
  .string({ error: "expected an AWS region such as eu-west-1" })
  .regex(/^[a-z]{2,}(-[a-z0-9]+){2,}$/, { error: "expected an AWS region such as eu-west-1" });

export const logLevel = z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]], {
  error: `expected one of ${LOG_LEVELS.join("|")}`,
});

export const logFormat = z.enum(LOG_FORMATS as [LogFormat, ...LogFormat[]], {
  error: `expected one of ${LOG_FORMATS.join("|")}`,
});

const plainRoutes = z.enum(PLAIN_ROUTES as [PlainRoutes, ...PlainRoutes[]], {
  error: `expected one of ${PLAIN_ROUTES.join("|")}`,
});

const tlsVersion = z.enum(TLS_VERSIONS as [TlsVersion, ...TlsVersion[]], {
  error: `expected one of ${TLS_VERSIONS.join("|")} (older versions are not offered)`,
});

export const LOG_FORMAT_HELP =
  "Log lines: auto (readable on a terminal, JSON otherwise), json or pretty (one readable line each).";

/** A section: unknown keys are errors, a missing section gets every default. */
function section<T extends z.core.$ZodLooseShape>(shape: T) {
  return z
    .strictObject(shape, {
      error: (iss) => (iss.code === "invalid_type" ? "expected a mapping of settings" : undefined),
    })
    .prefault({} as never); // every key has a default, so {} is valid input; TS cannot see that through T
}

/**
 * Registers a setting. A list also accepts a string in the file, split on commas as in the
 * environment and flags (`listen: "0.0.0.0:8245"` is a one-element list, `""` the empty list).
 */
function leaf<T extends z.ZodType>(schema: T, meta: SettingMeta): z.ZodType<z.output<T>> {
  const registered = { ...meta, defaultText: meta.defaultText ?? defaultText(schema) };
  const accepted: z.ZodType<z.output<T>> =
    meta.kind === "list"
      ? z.preprocess((v) => (typeof v === "string" ? splitList(v) : v), schema)
      : (schema as z.ZodType<z.output<T>>);
  settingRegistry.add(accepted, registered);
  return accepted;
}

/** The default as one would write it in the environment; "" for none or an empty list. */
function defaultText(schema: z.ZodType): string {
  if (!(schema instanceof z.ZodPrefault)) return "";
  const v: unknown = schema.def.defaultValue;
  if (Array.isArray(v)) return v.map(String).join(",");
  return String(v);
}

export const rawConfigSchema = section({
  data_dir: leaf(path("directory").prefault("./data"), {
    kind: "string",
    help: "Directory for Beacon's data; the SQLite file lives here unless store.sqlite_path is set.",
  }),
  store: section({
    sqlite_path: leaf(path("file").optional(), {
      kind: "string",
      help: "SQLite database file.",
      defaultText: "<data_dir>/beacon.db",
    }),
    postgres_url: leaf(postgresUrl.optional(), {
      kind: "string",
      help: "PostgreSQL URL (postgres://user:password@host:5432/database); when set, PostgreSQL is the store instead of SQLite. A secret: never printed.",
    }),
    postgres_url_file: leaf(path("file").optional(), {
      kind: "string",
      help: "A file holding the PostgreSQL URL (trimmed), instead of store.postgres_url; relative to the config file.",
    }),
    dynamodb_table: leaf(dynamoTable.optional(), {
      kind: "string",
      help: "DynamoDB table of the serverless edition (docs/serverless.md); when set, admin commands use it as the store. beacon serve refuses it.",
    }),
    dynamodb_region: leaf(awsRegion.optional(), {
      kind: "string",
      help: "AWS region of store.dynamodb_table.",
      defaultText: "(AWS_REGION from the environment)",
    }),
    dynamodb_endpoint: leaf(baseUrl.optional(), {
      kind: "string",
      help: "DynamoDB endpoint URL instead of AWS's (http(s)://; a local DynamoDB or tests).",
    }),
  }),
  http: section({
    listen: leaf(hostPortList().prefault(["127.0.0.1:8245"]), {
      kind: "list",
      help: "HTTP listen addresses (host:port, IPv6 as [addr]:port); empty disables HTTP.",
    }),
    trusted_proxies: leaf(z.array(cidr, { error: "expected a list of CIDRs" }).prefault([]), {
      kind: "list",
      help: "CIDRs or IPs of reverse proxies whose X-Forwarded-For is honoured.",
    }),
    max_body_bytes: leaf(integer(1024, 16 * 1024 * 1024).prefault(65536), {
      kind: "integer",
      help: "Largest accepted HTTP request body, in bytes.",
    }),
    public_url: leaf(baseUrl.optional(), {
      kind: "string",
      help: "The URL clients and browsers reach this server at (https://dns.example.org); used in copy-ready client configurations and accepted as an Origin.",
      defaultText: "(the request's origin)",
    }),
    max_connections: leaf(integer(1, 1_000_000).prefault(1024), {
      kind: "integer",
      help: "Most HTTP connections open at once, over every listener; more are refused on arrival (logged, counted).",
    }),
    max_connections_per_client: leaf(integer(0, 1_000_000).prefault(64), {
      kind: "integer",
      help: "Most HTTP connections open at once from one client (an IPv4 address, an IPv6 /64); trusted proxies count toward max_connections only; 0: no limit.",
    }),
    idle_timeout: leaf(duration(1000, 3_600_000).prefault("5s"), {
      kind: "string",
      help: "Close a keep-alive HTTP connection after this long without a request.",
    }),
    headers_timeout: leaf(duration(1000, 300_000).prefault("15s"), {
      kind: "string",
      help: "A client must send a request's headers within this long, or the connection is cut (408).",
    }),
    plain: leaf(plainRoutes.prefault("updates"), {
      kind: "string",
      help: "What the plain-HTTP listeners serve once http.tls.listen is set: updates (dyndns2, /ip, /healthz, ACME HTTP-01; the console and JSON API redirect to HTTPS) or all. Without HTTPS they serve all.",
    }),
    // HTTPS served by Beacon itself (docs/deploy/tls.md).
    tls: section({
      listen: leaf(hostPortList().prefault([]), {
        kind: "list",
        help: "HTTPS listen addresses (host:port, IPv6 as [addr]:port); empty: no HTTPS.",
      }),
      cert_file: leaf(path("file").optional(), {
        kind: "string",
        help: "PEM certificate chain of the HTTPS listeners, leaf first; re-read when it changes and on SIGHUP.",
      }),
      key_file: leaf(path("file").optional(), {
        kind: "string",
        help: "PEM private key of http.tls.cert_file; re-read with it.",
      }),
      min_version: leaf(tlsVersion.prefault("TLSv1.2"), {
        kind: "string",
        help: `Oldest TLS version accepted: ${TLS_VERSIONS.join("|")}.`,
      }),
      hsts: leaf(boolean().prefault(true), {
        kind: "boolean",
        help: "Send Strict-Transport-Security: max-age=31536000 on every reply over HTTPS (never over plain HTTP).",
      }),
    }),
    signature_window: leaf(duration(10_000, 3_600_000).prefault("5m"), {
      kind: "string",
      help: "How far a signed update request's `created` may be from the server's clock (docs/protocols/signed-requests.md); its nonce is remembered as long.",
    }),
  }),
  dns: section({
    listen: leaf(hostPortList().prefault(["127.0.0.1:5300"]), {
      kind: "list",
      help: "DNS listen addresses, UDP and TCP on each; empty disables DNS.",
    }),
    tcp_idle_timeout_ms: leaf(integer(100, MAX_TIMER_MS).prefault(10000), {
      kind: "integer",
      help: "Close an idle DNS TCP connection after this many milliseconds.",
    }),
    max_tcp_connections: leaf(integer(1, 1_000_000).prefault(256), {
      kind: "integer",
      help: "Most concurrent DNS TCP connections; a new one beyond closes the idlest connection of the network holding the most.",
    }),
    workers: leaf(integer(0, 64).prefault(0), {
      kind: "integer",
      help: "Processes answering DNS queries over UDP, sharing each socket (one zone index each); 0: the server process alone.",
    }),
    limits: section({
      rrl_responses_per_second: leaf(integer(0, 1_000_000).prefault(20), {
        kind: "integer",
        help: "UDP responses a second per client prefix and answer (name/type, zone for NXDOMAIN, errors); 0 disables rate limiting.",
      }),
      rrl_window_seconds: leaf(integer(1, 3600).prefault(5), {
        kind: "integer",
        help: "Seconds a rate-limited client must slow down before it is answered again.",
      }),
      rrl_slip: leaf(integer(0, 10).prefault(2), {
        kind: "integer",
        help: "Every Nth rate-limited response is sent truncated (TC) so real clients retry over TCP; 0 drops all.",
      }),
      rrl_ipv4_prefix_length: leaf(integer(8, 32).prefault(24), {
        kind: "integer",
        help: "IPv4 clients in one network of this prefix length share a rate-limit account.",
      }),
      rrl_ipv6_prefix_length: leaf(integer(16, 128).prefault(56), {
        kind: "integer",
        help: "IPv6 clients in one network of this prefix length share a rate-limit account.",
      }),
      rrl_table_size: leaf(integer(100, 10_000_000).prefault(100_000), {
        kind: "integer",
        help: "Most rate-limit accounts kept in memory; the least recently used is forgotten first.",
      }),
      rrl_exempt: leaf(
        z.array(cidr, { error: "expected a list of CIDRs" }).prefault(["127.0.0.0/8", "::1/128"]),
        {
          kind: "list",
          help: "CIDRs or IPs never rate-limited.",
        },
      ),
      max_tcp_connections_per_client: leaf(integer(1, 1_000_000).prefault(16), {
        kind: "integer",
        help: "Most concurrent DNS TCP connections from one client network (tcp_ipv4_prefix_length, tcp_ipv6_prefix_length); a new one beyond closes the network's idlest.",
      }),
      tcp_ipv4_prefix_length: leaf(integer(8, 32).prefault(24), {
        kind: "integer",
        help: "IPv4 clients in one network of this prefix length share max_tcp_connections_per_client.",
      }),
      tcp_ipv6_prefix_length: leaf(integer(16, 128).prefault(56), {
        kind: "integer",
        help: "IPv6 clients in one network of this prefix length share max_tcp_connections_per_client.",
      }),
      tcp_transfer_connections: leaf(integer(0, 65_535).prefault(16), {
        kind: "integer",
        help: "DNS TCP connections kept for dns.transfer.allow addresses beyond max_tcp_connections, so zone transfers get through a full table.",
      }),
      tcp_lifetime_ms: leaf(integer(1000, MAX_TIMER_MS).prefault(120_000), {
        kind: "integer",
        help: "Close a DNS TCP connection this long after it opened, busy or not.",
      }),
      max_tcp_queued_replies: leaf(integer(1, 65_535).prefault(64), {
        kind: "integer",
        help: "Replies one DNS TCP connection may have unsent before the server stops reading its queries.",
      }),
      max_message_bytes: leaf(integer(512, 65_535).prefault(65_535), {
        kind: "integer",
        help: "Largest DNS message accepted; larger UDP datagrams are dropped, larger TCP frames close the connection.",
      }),
    }),
    transfer: section({
      allow: leaf(z.array(cidr, { error: "expected a list of CIDRs" }).prefault([]), {
        kind: "list",
        help: "CIDRs or IPs allowed to transfer zones (AXFR/IXFR, TCP); empty refuses every transfer.",
      }),
      keys: leaf(z.array(domainName, { error: "expected a list of TSIG key names" }).prefault([]), {
        kind: "list",
        help: "TSIG key names (beacon key add) of which one must sign a transfer request; empty: no TSIG needed.",
      }),
      notify: leaf(ipHostPortList().prefault([]), {
        kind: "list",
        help: "Secondaries (IP:port, IPv6 as [addr]:port) sent a NOTIFY on every serial change.",
      }),
      notify_key: leaf(domainName.optional(), {
        kind: "string",
        help: "TSIG key name (beacon key add) that signs NOTIFY messages; unset: unsigned.",
        defaultText: "(none)",
      }),
      notify_retries: leaf(integer(1, 20).prefault(5), {
        kind: "integer",
        help: "NOTIFY attempts per secondary and change (waits 1 s, 2 s, 4 s, … for each answer).",
      }),
      catalog: leaf(domainName.optional(), {
        kind: "string",
        help: "Name of the RFC 9432 catalog zone listing every zone, for secondaries to follow (e.g. catalog.beacon.invalid); unset: none.",
        defaultText: "(none)",
      }),
    }),
    update: section({
      allow_md5: leaf(boolean().prefault(false), {
        kind: "boolean",
        help: "Accept RFC 2136 UPDATE signed with hmac-md5 TSIG keys (deprecated; off by default).",
      }),
      max_fudge: leaf(integer(1, 3600).prefault(300), {
        kind: "integer",
        help: "Most clock skew (seconds) honoured in a TSIG-signed UPDATE, whatever fudge the client asks.",
      }),
    }),
  }),
  admin: section({
    session_idle: leaf(duration(60_000, 7 * 86_400_000).prefault("30m"), {
      kind: "string",
      help: "Sign an admin out after this long without a request (e.g. 30m).",
    }),
    session_lifetime: leaf(duration(60_000, 30 * 86_400_000).prefault("12h"), {
      kind: "string",
      help: "Sign an admin out this long after signing in, however active (e.g. 12h).",
    }),
    setup: leaf(boolean().prefault(true), {
      kind: "boolean",
      help: "While no admin user exists, print a one-time setup code to create the first one in the browser.",
    }),
  }),
  updates: section({
    allow_non_global: leaf(boolean().prefault(false), {
      kind: "boolean",
      help: "Accept private, loopback and other non-global addresses in A/AAAA updates.",
    }),
  }),
  // Defaults follow deSEC's published rates (docs/limits.md has the table and the sources).
  limits: section({
    client: leaf(rates().prefault(["30/1s", "2000/1d"]), {
      kind: "list",
      help: "Requests to the update endpoints (dyndns2, JSON API writes) per client network (IPv4 address, IPv6 /64), counted before credentials.",
    }),
    client_ip: leaf(rates().prefault(["3/1m"]), {
      kind: "list",
      help: "Requests to GET /ip per client network.",
    }),
    client_heartbeat: leaf(rates().prefault(["30/1m", "20000/1d"]), {
      kind: "list",
      help: "Heartbeats of pools' members (POST /api/v1/heartbeat, GET /nic/heartbeat) per client network; they do not count against limits.client.",
    }),
    credential: leaf(rates().prefault(["2000/1d"]), {
      kind: "list",
      help: "Update requests per token or TSIG key, any protocol.",
    }),
    host_dyndns2: leaf(rates().prefault(["2/2m"]), {
      kind: "list",
      help: "dyndns2 updates per host, counted for credentials that may change it.",
    }),
    host_api: leaf(rates().prefault(["2/1s", "15/1m", "100/1h", "300/1d"]), {
      kind: "list",
      help: "JSON API and RFC 2136 updates per host, counted for credentials that may change it.",
    }),
    nochg_flag: leaf(rates().prefault(["150/7d"]), {
      kind: "list",
      help: "Updates of one host that change nothing beyond these rates flag the host for the admin (never refused); empty: never flag.",
    }),
    exempt: leaf(z.array(cidr, { error: "expected a list of CIDRs" }).prefault(["127.0.0.0/8", "::1/128"]), {
      kind: "list",
      help: "CIDRs or IPs whose updates and /ip requests are never limited.",
    }),
  }),
  history: section({
    max_entries_per_host: leaf(integer(10, 1_000_000).prefault(1000), {
      kind: "integer",
      help: "Most update-history entries kept per host; the oldest go as new ones are written.",
    }),
    max_age: leaf(duration(3_600_000, 36_500 * 86_400_000).prefault("365d"), {
      kind: "string",
      help: "Update-history entries older than this are deleted by a background sweep (e.g. 365d).",
    }),
  }),
  // The serverless edition (src/lambda, docs/serverless.md); `beacon serve` ignores these.
  serverless: section({
    route53_zones: leaf(z.array(route53Zone, { error: route53ZoneHelp }).prefault([]), {
      kind: "list",
      help: "Zones the Lambda function serves, each with its Route 53 hosted zone: zone=HOSTEDZONEID (e.g. dyn.example.com=Z0123456789ABC).",
    }),
    route53_endpoint: leaf(baseUrl.optional(), {
      kind: "string",
      help: "Route 53 API endpoint (tests and local fakes); default: the global endpoint.",
    }),
    delivery_timeout: leaf(duration(100, 60_000).prefault("5s"), {
      kind: "string",
      help: "How long one update request waits for Route 53 to accept its change (e.g. 5s).",
    }),
  }),
  pools: section({
    node_name: leaf(
      z
        .string()
        .regex(/^[A-Za-z0-9._:-]{1,64}$/, { error: "expected 1 to 64 letters, digits, '.', '_', ':' or '-'" })
        .optional(),
      {
        kind: "string",
        help: "Health-checked pools: this node's name among several nodes (its probe results are saved under it and resumed after a restart); default: the host name. Give each node on one machine its own.",
      },
    ),
    transitions_max_age: leaf(duration(3_600_000, 36_500 * 86_400_000).prefault("365d"), {
      kind: "string",
      help: "Health-checked pools: member state transitions older than this are deleted by a background sweep.",
    }),
    rollups_max_age: leaf(duration(3_600_000, 3_650 * 86_400_000).prefault("30d"), {
      kind: "string",
      help: "Health-checked pools: per-minute probe roll-ups older than this are deleted by a background sweep.",
    }),
  }),
  // Automatic certificates (services/acme, docs/deploy/acme.md).
  acme: section({
    enabled: leaf(boolean().prefault(false), {
      kind: "boolean",
      help: "Obtain and renew the HTTPS certificate from an ACME CA (Let's Encrypt by default); needs acme.names.",
    }),
    directory_url: leaf(acmeDirectoryUrl.prefault("https://acme-v02.api.letsencrypt.org/directory"), {
      kind: "string",
      help: "The ACME directory (staging: https://acme-staging-v02.api.letsencrypt.org/directory).",
      defaultText: "(Let's Encrypt)",
    }),
    email: leaf(acmeEmail.optional(), {
      kind: "string",
      help: "Contact address given to the CA (expiry warnings, policy changes); optional.",
    }),
    names: leaf(z.array(domainName, { error: "expected a list of domain names" }).prefault([]), {
      kind: "list",
      help: "The certificate's names (the first is its subject); required when acme.enabled.",
    }),
    challenge: leaf(acmeChallenge.prefault("auto"), {
      kind: "string",
      help: "auto (dns-01 when every name is inside a zone Beacon serves, else http-01), dns-01 or http-01.",
    }),
    ca_file: leaf(path("file").optional(), {
      kind: "string",
      help: "Extra CA certificate (PEM) trusted for the directory's HTTPS, e.g. a test CA's.",
    }),
    renew_before: leaf(duration(3_600_000, 365 * 86_400_000).prefault("30d"), {
      kind: "string",
      help: "Renew this long before expiry, or when a third of the lifetime is left if that is earlier.",
    }),
    key_type: leaf(acmeKeyType.prefault("ecdsa"), {
      kind: "string",
      help: "The certificate's key: ecdsa (P-256) or rsa (2048 bits).",
    }),
  }),
  compat: section({
    aws_sample: leaf(boolean().prefault(false), {
      kind: "boolean",
      help: "Serve the AWS sample's protocol (awslabs/route53-dynamic-dns-with-lambda: POST / JSON and GET /?mode=) for hosts given a credential with `beacon host sample-secret set`; off: those requests get 404.",
    }),
  }),
  demo: section({
    enabled: leaf(boolean().prefault(true), {
      kind: "boolean",
      help: "On first start with an empty store, create the demo zone.",
    }),
    zone: leaf(domainName.prefault("dyn.beacon.test"), {
      kind: "string",
      help: "Name of the demo zone.",
    }),
  }),
  log: section({
    level: leaf(logLevel.prefault("info"), {
      kind: "string",
      help: `Log level: ${LOG_LEVELS.join("|")}.`,
    }),
    format: leaf(logFormat.prefault("auto"), { kind: "string", help: LOG_FORMAT_HELP }),
  }),
  shutdown_grace_ms: leaf(integer(0, MAX_TIMER_MS).prefault(10000), {
    kind: "integer",
    help: "On SIGTERM, wait up to this long for in-flight requests.",
  }),
});

export type RawConfig = z.output<typeof rawConfigSchema>;
