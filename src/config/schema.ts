// The YAML schema of `beacon serve`, in the file's own shape (snake_case). It is the single source of
// truth: environment variable names, flag names, help and docs are derived from it (settings.ts), so a
// new setting is one new leaf here plus its line in build.ts.
//
// Every leaf is registered in `settingRegistry` with its kind (how env/flag strings are coerced) and a
// one-line help. Defaults use `prefault`, so a default passes through the same transforms as user input.

import { z } from "zod";
import { parseCidr, parseIp } from "../core/ip.js";
import { tryNormalizeName } from "../core/names.js";
import { parseDurationMs } from "./agent/duration.js";
import { parseHostPort } from "./host-port.js";
import { LOG_LEVELS, type LogLevel } from "./server-config.js";

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

/** "30m", "12h", "90s", "500ms" or a number of seconds → milliseconds within [min, max]. */
function duration(min: number, max: number) {
  const expected = "expected a duration such as 90s, 30m or 12h";
  return z.union([z.string(), z.number()], { error: expected }).transform((v, ctx) => {
    const ms = parseDurationMs(v);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: "custom", message: `expected a duration from ${min / 1000}s to ${max / 1000}s` });
      return z.NEVER;
    }
    return ms;
  });
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

export const logLevel = z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]], {
  error: `expected one of ${LOG_LEVELS.join("|")}`,
});

/** A section: unknown keys are errors, a missing section gets every default. */
function section<T extends z.core.$ZodLooseShape>(shape: T) {
  return z
    .strictObject(shape, {
      error: (iss) => (iss.code === "invalid_type" ? "expected a mapping of settings" : undefined),
    })
    .prefault({} as never); // every key has a default, so {} is valid input; TS cannot see that through T
}

function leaf<T extends z.ZodType>(schema: T, meta: SettingMeta): T {
  settingRegistry.add(schema, meta);
  return schema;
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
      help: "Most concurrent DNS TCP connections; more are refused.",
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
        help: "Most concurrent DNS TCP connections from one client address; more are refused.",
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
  }),
  shutdown_grace_ms: leaf(integer(0, MAX_TIMER_MS).prefault(10000), {
    kind: "integer",
    help: "On SIGTERM, wait up to this long for in-flight requests.",
  }),
});

export type RawConfig = z.output<typeof rawConfigSchema>;
