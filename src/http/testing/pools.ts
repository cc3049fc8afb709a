// In-memory fakes of the health service's ports (services/health/ports.ts) for route tests: the
// routes are tested against the contract, not the real service. `put` checks only what the routes
// rely on (an object with a string name and a members list); the test reads what was called in
// `calls` and seeds transitions and roll-ups directly.

import { BeaconError } from "../../core/errors.js";
import { CHECK_DEFAULTS, POOL_DEFAULTS, type ProbeRollup, type PoolSpec } from "../../core/pools.js";
import type { Heartbeats, MemberView, PoolAdmin, PoolView } from "../../services/health/ports.js";
import type { StoredTransition } from "../../store/ports.js";

export const POOL_TIME = 1_700_000_000_000;

export interface FakePools {
  readonly admin: PoolAdmin;
  readonly heartbeats: Heartbeats;
  readonly views: Map<string, PoolView>;
  readonly transitions: StoredTransition[];
  readonly rollups: ProbeRollup[];
  /** One line per call: "put x", "transitions x 100 -", "rollups x 3600000", "beat x"… */
  readonly calls: string[];
}

function specOf(input: unknown): PoolSpec {
  const o = input as Record<string, unknown> | null;
  if (typeof o !== "object" || o === null || typeof o["name"] !== "string")
    throw new BeaconError("invalid_pool", "name: expected a string");
  const members = o["members"];
  if (!Array.isArray(members)) throw new BeaconError("invalid_pool", "members: expected a list");
  return {
    name: o["name"],
    type: o["type"] === "AAAA" ? "AAAA" : "A",
    steering: POOL_DEFAULTS.steering,
    whenAllDown: POOL_DEFAULTS.whenAllDown,
    fallback: [],
    maxAnswers: POOL_DEFAULTS.maxAnswers,
    ttlMin: POOL_DEFAULTS.ttlMin,
    ttlMax: POOL_DEFAULTS.ttlMax,
    check: { type: "tcp", port: 80, ...CHECK_DEFAULTS },
    members: members.map((m: { id?: unknown; address?: unknown; host?: unknown }, i) => ({
      id: typeof m.id === "string" ? m.id : `m${i}`,
      ...(typeof m.address === "string" ? { address: m.address } : {}),
      ...(typeof m.host === "string" ? { host: m.host } : {}),
      priority: 1,
      weight: 1,
    })),
  };
}

function viewOf(spec: PoolSpec, createdAt: number): PoolView {
  const members: MemberView[] = spec.members.map((m) => ({
    id: m.id,
    addresses: m.address === undefined ? [] : [m.address],
    ...(m.host === undefined ? {} : { host: m.host }),
    priority: m.priority,
    weight: m.weight,
    status: "unknown",
    override: "none",
    nodes: [],
  }));
  return { spec, members, published: undefined, allDown: false, createdAt, updatedAt: POOL_TIME };
}

/** `f` run as a promise's continuation: a throw becomes a rejection, as in the real service. */
const later = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);

export function fakePools(): FakePools {
  const views = new Map<string, PoolView>();
  const transitions: StoredTransition[] = [];
  const rollups: ProbeRollup[] = [];
  const calls: string[] = [];
  const existing = (name: string): PoolView => {
    const view = views.get(name);
    if (view === undefined) throw new BeaconError("pool_not_found", `no pool "${name}"`);
    return view;
  };

  const admin: PoolAdmin = {
    put: (input) =>
      later(() => {
        const spec = specOf(input);
        calls.push(`put ${spec.name}`);
        const created = !views.has(spec.name);
        views.set(spec.name, viewOf(spec, views.get(spec.name)?.createdAt ?? POOL_TIME));
        return { pool: spec, created };
      }),
    get: (name) => later(() => views.get(name)),
    list: () => later(() => [...views.values()].sort((a, b) => a.spec.name.localeCompare(b.spec.name))),
    delete: (name) =>
      later(() => {
        calls.push(`delete ${name}`);
        return views.delete(name);
      }),
    setOverride: (pool, member, override) =>
      later(() => {
        const view = existing(pool);
        if (!view.members.some((m) => m.id === member))
          throw new BeaconError("member_not_found", `no member "${member}"`);
        calls.push(`override ${pool} ${member} ${override}`);
        const members = view.members.map((m) => (m.id === member ? { ...m, override } : m));
        views.set(pool, { ...view, members });
      }),
    transitions: (pool, opts) =>
      later(() => {
        existing(pool);
        calls.push(`transitions ${pool} ${opts.limit} ${opts.before ?? "-"}`);
        return transitions
          .filter((t) => t.pool === pool && (opts.before === undefined || t.id < opts.before))
          .sort((a, b) => b.id - a.id)
          .slice(0, opts.limit);
      }),
    rollups: (pool, sinceMs) =>
      later(() => {
        existing(pool);
        calls.push(`rollups ${pool} ${sinceMs}`);
        return rollups.filter((r) => r.pool === pool);
      }),
  };

  const heartbeats: Heartbeats = {
    beat: (fqdn) =>
      later(() => {
        calls.push(`beat ${fqdn}`);
        const following = [...views.values()].filter((v) => v.spec.members.some((m) => m.host === fqdn));
        return following.map((v) => v.spec.name);
      }),
  };

  return { admin, heartbeats, views, transitions, rollups, calls };
}
