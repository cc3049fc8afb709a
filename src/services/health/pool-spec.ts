// Reading a pool definition (the JSON/YAML shape in docs/pools.md "Pool definition reference") into a
// PoolSpec. Pure; every input is hostile.
//
// Promises: parsePoolSpec returns a complete PoolSpec (defaults filled in: POOL_DEFAULTS,
// CHECK_DEFAULTS and the per-type check defaults of core/pools.ts; names and addresses canonical) or
// throws BeaconError("invalid_pool", "<field path>: <what is wrong>") for the first problem found, all
// of them (at most MAX_ISSUES) in details.issues. Unknown fields, fields that do not apply to the check
// type, wrong types, non-integers, NaN and out-of-range values are refused; strings and arrays are
// bounded before they are looked at. parseExpect is the status matcher (core/http-status.ts) as a function.

import { z } from "zod";
import { BeaconError } from "../../core/errors.js";
import { DEFAULT_EXPECT, statusRanges } from "../../core/http-status.js";
import { parseIp } from "../../core/ip.js";
import { tryNormalizeName } from "../../core/names.js";
import {
  ALL_DOWN_BEHAVIOURS,
  CHECK_DEFAULTS,
  CHECK_TYPES,
  POOL_DEFAULTS,
  STEERING_POLICIES,
  type CheckSpec,
  type CheckType,
  type MemberSpec,
  type PoolSpec,
} from "../../core/pools.js";

export const MAX_TTL_SECONDS = 86_400;
export const MAX_INTERVAL_MS = 3_600_000;
export const MIN_TIMEOUT_MS = 100;
export const MAX_ANSWERS = 16;
const MAX_TEXT = 1024;
const MAX_ISSUES = 20;

/** A type error's message: "is required" when the field is missing. */
const expected = (what: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? "is required" : what;
const int = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z
    .number({ error: expected(error) })
    .int({ error })
    .min(min, { error })
    .max(max, { error });
};
const text = (max: number) =>
  z.string({ error: expected("must be a string") }).max(max, { error: `must be at most ${max} characters` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: expected(`must be one of ${values.join(", ")}`) });
const list = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item, { error: expected("must be a list") })
    .max(max, { error: `must hold at most ${max} entries` });
const object = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, { error: expected("must be an object") });

const CHECK = object({
  type: oneOf(CHECK_TYPES),
  port: int(1, 65_535).optional(),
  path: text(MAX_TEXT).optional(),
  host: text(255).optional(),
  expect: text(256).optional(),
  body: text(MAX_TEXT).optional(),
  tlsVerify: z.boolean({ error: expected("must be true or false") }).optional(),
  query: text(255).optional(),
  maxAgeMs: int(CHECK_DEFAULTS.minIntervalMs, 2 * MAX_INTERVAL_MS).optional(),
  intervalMs: int(CHECK_DEFAULTS.minIntervalMs, MAX_INTERVAL_MS).optional(),
  timeoutMs: int(MIN_TIMEOUT_MS, MAX_INTERVAL_MS).optional(),
  rise: int(1, 20).optional(),
  fall: int(1, 20).optional(),
});

const MEMBER = object({
  id: z
    .string({ error: expected("must be a string") })
    .regex(/^[a-z0-9_-]{1,63}$/, { error: "must be 1 to 63 of a-z, 0-9, _ and -" }),
  address: text(64).optional(),
  host: text(255).optional(),
  priority: int(1, 100).optional(),
  weight: int(0, 1000).optional(),
});

const POOL = object({
  name: text(255),
  type: oneOf(["A", "AAAA"] as const),
  steering: oneOf(STEERING_POLICIES).optional(),
  whenAllDown: oneOf(ALL_DOWN_BEHAVIOURS).optional(),
  fallback: list(text(64), MAX_ANSWERS).optional(),
  maxAnswers: int(1, MAX_ANSWERS).optional(),
  ttlMin: int(1, MAX_TTL_SECONDS).optional(),
  ttlMax: int(1, MAX_TTL_SECONDS).optional(),
  check: CHECK,
  members: list(MEMBER, POOL_DEFAULTS.maxMembers).min(1, { error: "must hold at least one member" }),
});

/** The fields each check type takes besides type, intervalMs, timeoutMs, rise and fall. */
const CHECK_FIELDS: Record<CheckType, readonly string[]> = {
  tcp: ["port"],
  http: ["port", "path", "host", "expect", "body"],
  https: ["port", "path", "host", "expect", "body", "tlsVerify"],
  dns: ["port", "query"],
  heartbeat: ["maxAgeMs"],
  icmp: [],
  none: [],
};
const COMMON_CHECK_FIELDS: readonly string[] = ["type", "intervalMs", "timeoutMs", "rise", "fall"];
const DEFAULT_PORTS: Partial<Record<CheckType, number>> = { http: 80, https: 443, dns: 53 };

type Issue = { readonly path: string; readonly message: string };

/** Validates a pool definition; see the file comment. */
export function parsePoolSpec(input: unknown): PoolSpec {
  const parsed = POOL.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues.flatMap(zodIssues));
  const issues: Issue[] = [];
  const spec = build(parsed.data, (path, message) => issues.push({ path, message }));
  if (issues.length > 0) throw invalid(issues);
  return spec;
}

type Report = (path: string, message: string) => void;

function build(raw: z.infer<typeof POOL>, report: Report): PoolSpec {
  const name = tryNormalizeName(raw.name) ?? (report("name", "must be a valid domain name"), raw.name);
  const family = raw.type === "A" ? 4 : 6;
  const address = (path: string, value: string): string => {
    const ip = parseIp(value);
    if (ip?.family === family) return ip.text;
    report(path, `must be an IPv${family} address (the pool's type is ${raw.type})`);
    return value;
  };
  const whenAllDown = raw.whenAllDown ?? POOL_DEFAULTS.whenAllDown;
  const fallback = [...new Set((raw.fallback ?? []).map((a, i) => address(`fallback[${i}]`, a)))];
  if (whenAllDown === "fallback" && fallback.length === 0) {
    report("fallback", 'must hold at least one address when whenAllDown is "fallback"');
  }
  const ttlMax = raw.ttlMax ?? POOL_DEFAULTS.ttlMax;
  const ttlMin =
    raw.ttlMin ?? (raw.ttlMax === undefined ? POOL_DEFAULTS.ttlMin : Math.max(1, Math.floor(raw.ttlMax / 2)));
  if (ttlMin > ttlMax) report("ttlMin", `must not exceed ttlMax (${ttlMax})`);
  const check = buildCheck(raw.check, report);

  const seen = new Set<string>();
  const members = raw.members.map((m, i): MemberSpec => {
    const at = `members[${i}]`;
    if (seen.has(m.id)) report(`${at}.id`, `"${m.id}" is used by an earlier member`);
    seen.add(m.id);
    const base = { id: m.id, priority: m.priority ?? 1, weight: m.weight ?? 1 };
    if ((m.address === undefined) === (m.host === undefined)) {
      report(at, "needs exactly one of address and host");
      return base;
    }
    if (m.address !== undefined) {
      if (check.type === "heartbeat") report(`${at}.address`, "a heartbeat check needs host members");
      return { ...base, address: address(`${at}.address`, m.address) };
    }
    const host = hostname(`${at}.host`, m.host ?? "", report);
    if (host === name) report(`${at}.host`, "must not be the pool's own name");
    return { ...base, host };
  });

  return {
    name,
    type: raw.type,
    steering: raw.steering ?? POOL_DEFAULTS.steering,
    whenAllDown,
    fallback,
    maxAnswers: raw.maxAnswers ?? POOL_DEFAULTS.maxAnswers,
    ttlMin,
    ttlMax,
    check,
    members,
  };
}

function buildCheck(raw: z.infer<typeof CHECK>, report: Report): CheckSpec {
  const { type } = raw;
  const allowed = CHECK_FIELDS[type];
  for (const [field, value] of Object.entries(raw)) {
    if (value === undefined || COMMON_CHECK_FIELDS.includes(field) || allowed.includes(field)) continue;
    const owners = CHECK_TYPES.filter((t) => CHECK_FIELDS[t].includes(field));
    report(
      `check.${field}`,
      `only for ${owners.slice(0, -1).join(", ")}${owners.length > 1 ? " and " : ""}${owners.at(-1)} checks`,
    );
  }
  const intervalMs = raw.intervalMs ?? CHECK_DEFAULTS.intervalMs;
  // gdnsd's default timeout is half the interval: a short interval gets a shorter default timeout.
  const timeoutMs = raw.timeoutMs ?? Math.min(CHECK_DEFAULTS.timeoutMs, Math.floor(intervalMs / 2));
  if (timeoutMs >= intervalMs) report("check.timeoutMs", `must be less than intervalMs (${intervalMs})`);
  const spec: { -readonly [K in keyof CheckSpec]: CheckSpec[K] } = {
    type,
    intervalMs,
    timeoutMs,
    rise: raw.rise ?? CHECK_DEFAULTS.rise,
    fall: raw.fall ?? CHECK_DEFAULTS.fall,
  };
  const port = raw.port ?? DEFAULT_PORTS[type];
  if (allowed.includes("port")) {
    if (port === undefined) report("check.port", `is required for ${type} checks`);
    else spec.port = port;
  }
  if (type === "http" || type === "https") {
    spec.path = raw.path ?? "/";
    if (!/^\/[\x21-\x7e]*$/.test(spec.path)) {
      report(
        "check.path",
        'must start with "/" and hold only printable ASCII (no spaces or control characters)',
      );
    }
    if (raw.host !== undefined) spec.host = hostname("check.host", raw.host, report);
    spec.expect = raw.expect ?? DEFAULT_EXPECT;
    const ranges = statusRanges(spec.expect);
    if (typeof ranges === "string") report("check.expect", ranges);
    if (raw.body !== undefined) spec.body = raw.body;
  }
  if (type === "https") spec.tlsVerify = raw.tlsVerify ?? true;
  if (type === "dns" && raw.query !== undefined) spec.query = hostname("check.query", raw.query, report);
  if (type === "heartbeat") {
    spec.maxAgeMs = raw.maxAgeMs ?? 2 * intervalMs;
    if (spec.maxAgeMs < intervalMs) report("check.maxAgeMs", `must be at least intervalMs (${intervalMs})`);
  }
  return spec;
}

function hostname(path: string, value: string, report: Report): string {
  const name = tryNormalizeName(value);
  if (name !== undefined) return name;
  report(path, "must be a valid domain name");
  return value;
}

/**
 * The matcher of an http/https check's `expect`: "2xx", "200", "200-299" or a comma list of those,
 * every code 100..599. Throws BeaconError invalid_pool ("check.expect: …") on anything else.
 */
export function parseExpect(expect: string): (status: number) => boolean {
  const ranges = statusRanges(expect);
  if (typeof ranges === "string") throw new BeaconError("invalid_pool", `check.expect: ${ranges}`);
  return (status) => ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

function zodIssues(iss: z.core.$ZodIssue): Issue[] {
  if (iss.code === "unrecognized_keys") {
    return iss.keys.map((key) => ({ path: formatPath([...iss.path, key]), message: "unknown field" }));
  }
  return [{ path: formatPath(iss.path), message: iss.message }];
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path)
    out += typeof p === "number" ? `[${p}]` : `${out === "" ? "" : "."}${String(p).slice(0, 64)}`;
  return out === "" ? "pool" : out;
}

function invalid(issues: readonly Issue[]): BeaconError {
  const first = issues[0] ?? { path: "pool", message: "is not valid" };
  return new BeaconError("invalid_pool", `${first.path}: ${first.message}`, {
    details: { issues: issues.slice(0, MAX_ISSUES) },
  });
}
