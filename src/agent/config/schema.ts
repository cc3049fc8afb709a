// The agent's YAML in its own shape (snake_case). Top-level scalars carry their env/flag names in
// settings.ts; sources, targets and notify entries are only checked for shape here and validated by
// their type's own schema in plugins.ts.

import { z } from "zod";
import { withSuffix } from "../detect/ipv6.js";
import { parseIp } from "../../core/ip.js";
import { isPasswordHash } from "../../services/auth/passwords.js";
import { MAX_TTL, MIN_TTL } from "../../core/records.js";
import { tryNormalizeName } from "../../core/names.js";
import { parseHostPort } from "../../config/host-port.js";
import { boolean, duration, integer, logFormat, logLevel } from "../../config/schema.js";

/** "" disables the listener. */
const optionalHostPort = z
  .string({ error: 'expected a host:port string (or "" to disable)' })
  .transform((s, ctx) => {
    if (s.trim() === "") return undefined;
    const r = parseHostPort(s);
    if (r.ok) return r.value;
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  });

/** A resolver: an IP literal, optionally with a port ("9.9.9.9", "[2620:fe::fe]:53", "127.0.0.1:5300"). */
const resolver = z.string({ error: "expected a resolver address" }).transform((s, ctx) => {
  const ip = parseIp(s);
  if (ip !== undefined) return { host: ip.text, port: 53 };
  const r = parseHostPort(s);
  if (r.ok && parseIp(r.value.host) !== undefined) return r.value;
  ctx.addIssue({
    code: "custom",
    message: `${JSON.stringify(s)} is not a resolver address (an IP, or ip:port with IPv6 as [addr]:port)`,
  });
  return z.NEVER;
});

/**
 * The shape `beacon agent password` prints (scrypt$N$r$p$salt$hash). Checked here so a typo fails at
 * start rather than at sign-in; the message never quotes the value.
 */
const passwordHash = z
  .string({ error: "expected a password hash made by `beacon agent password`" })
  .trim()
  .refine(isPasswordHash, {
    error: "expected a password hash made by `beacon agent password` (scrypt$…)",
  })
  .optional();

const id = z
  .string({ error: "expected an id" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { error: "ids are letters, digits, _ . - (at most 63)" });

/** Only `type` is checked here; the rest belongs to the type's own schema. */
const plugin = z.looseObject(
  { type: z.string({ error: "expected the type of this entry (type: …)" }) },
  { error: "expected a mapping with a type" },
);

const fqdn = z.string({ error: "expected a domain name" }).transform((s, ctx) => {
  const n = tryNormalizeName(s);
  if (n !== undefined) return n;
  ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is not a valid domain name` });
  return z.NEVER;
});

const mac = z
  .string({ error: "expected a MAC address" })
  .regex(/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/, {
    error: "expected a MAC address like aa:bb:cc:dd:ee:ff",
  })
  .transform((s) => s.toLowerCase().replaceAll("-", ":"));

/** A host part for the detected /64: no bits inside the prefix. */
const ipv6Suffix = z.string({ error: "expected an IPv6 host part like ::1234" }).transform((s, ctx) => {
  const ip = parseIp(s);
  if (ip?.family === 6 && withSuffix({ text: "::", family: 6 }, 64, ip.text) !== undefined) return ip.text;
  ctx.addIssue({
    code: "custom",
    message: `${JSON.stringify(s)} is not an IPv6 host part like ::1234 (only the last 64 bits may be set)`,
  });
  return z.NEVER;
});

const bind = z.union(
  [
    z.strictObject({ interface: z.string().min(1, { error: "expected an interface name" }) }),
    z.strictObject({
      address: z.string().refine((s) => parseIp(s) !== undefined, { error: "expected an IP address" }),
    }),
  ],
  { error: "expected { interface: <name> } or { address: <local IP> }" },
);

/** Pools: tell the record's Beacon server that this line is alive (records.ts checks the target's type). */
const heartbeat = z.strictObject(
  { interval: duration(5_000, 3_600_000).prefault("10s") },
  { error: "expected a mapping like { interval: 10s }" },
);

export const recordSchema = z.strictObject(
  {
    name: fqdn,
    type: z.enum(["A", "AAAA"], { error: "expected A or AAAA" }),
    target: id,
    sources: z
      .array(z.string({ error: "expected a source id" }), { error: "expected a list of source ids" })
      .optional(),
    quorum: integer(1, 32).optional(),
    timeout: duration(100, 60_000).prefault("5s"),
    allow_non_global: boolean().prefault(false),
    bind: bind.optional(),
    ipv6_suffix: ipv6Suffix.optional(),
    ipv6_mac: mac.optional(),
    ttl: integer(MIN_TTL, MAX_TTL).optional(),
    heartbeat: heartbeat.optional(),
  },
  { error: "expected a mapping describing a record" },
);

export type RawRecord = z.output<typeof recordSchema>;

export const rawAgentSchema = z.strictObject(
  {
    interval: duration(1_000, 86_400_000).prefault("5m"),
    verify_every: integer(0, 1_000_000).prefault(6),
    verify_resolver: resolver.optional(),
    state_file: z
      .string({ error: "expected a file path" })
      .min(1, { error: "expected a file path" })
      .prefault("./data/agent-state.json"),
    status: z
      .strictObject(
        { listen: optionalHostPort.prefault("127.0.0.1:9876"), password_hash: passwordHash },
        { error: "expected a mapping" },
      )
      .prefault({}),
    log: z
      .strictObject(
        { level: logLevel.prefault("info"), format: logFormat.prefault("auto") },
        { error: "expected a mapping" },
      )
      .prefault({}),
    user_agent: z.string().min(1, { error: "expected a User-Agent string" }).optional(),
    sources: z.record(id, plugin, { error: "expected a mapping of source id → settings" }).prefault({}),
    targets: z.record(id, plugin, { error: "expected a mapping of target id → settings" }).prefault({}),
    notify: z.array(plugin, { error: "expected a list of notifiers" }).prefault([]),
    records: z.array(recordSchema, { error: "expected a list of records" }).prefault([]),
  },
  { error: "expected a mapping of settings" },
);

export type RawAgentConfig = z.output<typeof rawAgentSchema>;
