// The YAML schema of `beacon serve`, in the file's own shape (snake_case). It is the single source of
// truth: environment variable names, flag names, help and docs are derived from it (settings.ts), so a
// new setting is one new leaf here plus its line in build.ts.
//
// Every leaf is registered in `settingRegistry` with its kind (how env/flag strings are coerced) and a
// one-line help. Defaults use `prefault`, so a default passes through the same transforms as user input.

import { z } from "zod";
import { parseCidr } from "../core/ip.js";
import { tryNormalizeName } from "../core/names.js";
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
