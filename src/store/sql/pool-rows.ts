// Row ↔ domain conversions of the pools' tables (pool-schema.ts), shared by sqlite/pools.ts and
// postgres/pools.ts. Reading is defensive, as rows.ts: a spec that is not a pool's JSON or a state
// word Beacon never writes throws (surfacing as store_unavailable), so a damaged row never steers DNS.

import type {
  AdminOverride,
  HealthStatus,
  HealthTransition,
  MemberHealth,
  PoolSpec,
  ProbeRollup,
} from "../../core/pools.js";
import type { NodeMemberHealth, StoredPool, StoredTransition } from "../ports.js";
import type {
  PoolMemberHealthTable,
  PoolOverridesTable,
  PoolRollupsTable,
  PoolsTable,
  PoolTransitionsTable,
} from "./pool-schema.js";

const STATUSES: readonly string[] = ["unknown", "up", "down"] satisfies HealthStatus[];
const OVERRIDES: readonly string[] = [
  "none",
  "forced_up",
  "forced_down",
  "maintenance",
] satisfies AdminOverride[];

function word<T extends string>(allowed: readonly string[], v: string, column: string): T {
  if (!allowed.includes(v)) throw new Error(`column ${column} holds ${JSON.stringify(v)}`);
  return v as T;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

/** The spec as stored; the checks are of what the store itself relies on (name, members' ids). */
export function poolSpecFromJson(json: string): PoolSpec {
  const v = JSON.parse(json) as Partial<Record<keyof PoolSpec, unknown>> | null;
  const members = v?.members;
  if (
    typeof v?.name !== "string" ||
    !Array.isArray(members) ||
    !members.every((m: { id?: unknown } | null) => typeof m?.id === "string")
  )
    throw new Error("column pools.spec_json does not hold a pool");
  return v as unknown as PoolSpec;
}

/** The pool with its override rows (of this pool). */
export function storedPoolFromRows(
  row: PoolsTable,
  overrides: readonly Pick<PoolOverridesTable, "member" | "override">[],
): StoredPool {
  return {
    spec: poolSpecFromJson(row.spec_json),
    overrides: Object.fromEntries(
      overrides.map((o) => [o.member, word<AdminOverride>(OVERRIDES, o.override, "pool_overrides.override")]),
    ),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function memberHealthToRow(node: string, s: MemberHealth, at: number): PoolMemberHealthTable {
  return {
    pool: s.pool,
    member: s.member,
    node,
    status: s.status,
    streak: s.streak,
    rtt_ms: s.rttMs ?? null,
    last_reason: s.lastReason ?? null,
    last_probe_at: s.lastProbeAt ?? null,
    since: s.since,
    observed_at: at,
  };
}

export function memberHealthFromRow(r: PoolMemberHealthTable): NodeMemberHealth {
  return {
    pool: r.pool,
    member: r.member,
    node: r.node,
    status: word<HealthStatus>(STATUSES, r.status, "pool_member_health.status"),
    streak: r.streak,
    rttMs: opt(r.rtt_ms),
    lastReason: opt(r.last_reason),
    lastProbeAt: opt(r.last_probe_at),
    since: r.since,
    observedAt: r.observed_at,
  };
}

const STATES = [...STATUSES, ...OVERRIDES];

export function transitionToRow(t: HealthTransition): Omit<PoolTransitionsTable, "id"> {
  return {
    at: t.at,
    pool: t.pool,
    member: t.member,
    node: t.node,
    from_state: t.from,
    to_state: t.to,
    reason: t.reason,
    rtt_ms: t.rttMs ?? null,
  };
}

export function transitionFromRow(r: PoolTransitionsTable): StoredTransition {
  return {
    id: r.id,
    at: r.at,
    pool: r.pool,
    member: r.member,
    node: r.node,
    from: word<HealthStatus | AdminOverride>(STATES, r.from_state, "pool_transitions.from_state"),
    to: word<HealthStatus | AdminOverride>(STATES, r.to_state, "pool_transitions.to_state"),
    reason: r.reason,
    rttMs: opt(r.rtt_ms),
  };
}

export function rollupToRow(r: ProbeRollup): PoolRollupsTable {
  return {
    pool: r.pool,
    minute: r.minute,
    member: r.member,
    node: r.node,
    ok: r.ok,
    fail: r.fail,
    rtt_min: r.rttMinMs ?? null,
    rtt_max: r.rttMaxMs ?? null,
    rtt_sum: r.rttSumMs,
  };
}

export function rollupFromRow(r: PoolRollupsTable): ProbeRollup {
  return {
    pool: r.pool,
    member: r.member,
    node: r.node,
    minute: r.minute,
    ok: r.ok,
    fail: r.fail,
    rttMinMs: opt(r.rtt_min),
    rttMaxMs: opt(r.rtt_max),
    rttSumMs: r.rtt_sum,
  };
}
