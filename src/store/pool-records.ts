// What every PoolStore adapter (memory/, sqlite/, postgres/pools.ts) decides alike: which members a
// pool has (its spec's ids), how roll-ups of one (pool, member, node, minute) merge, and which of
// several states given for one member in one call is kept (the last). Pure functions.

import type { MemberHealth, PoolSpec, ProbeRollup } from "../core/pools.js";

/** The member ids of the spec. */
export function memberIds(spec: PoolSpec): Set<string> {
  return new Set(spec.members.map((m) => m.id));
}

/** The key a roll-up merges on. */
export const rollupKey = (r: ProbeRollup): string => JSON.stringify([r.pool, r.member, r.node, r.minute]);

const pick = (f: (a: number, b: number) => number, a?: number, b?: number) =>
  a === undefined ? b : b === undefined ? a : f(a, b);

/** `add` merged into `saved`: counts and sums added, min and max combined (absent while ok = 0). */
export function mergeRollup(saved: ProbeRollup | undefined, add: ProbeRollup): ProbeRollup {
  if (saved === undefined) return { ...add };
  const min = pick(Math.min, saved.rttMinMs, add.rttMinMs);
  const max = pick(Math.max, saved.rttMaxMs, add.rttMaxMs);
  return {
    pool: saved.pool,
    member: saved.member,
    node: saved.node,
    minute: saved.minute,
    ok: saved.ok + add.ok,
    fail: saved.fail + add.fail,
    rttSumMs: saved.rttSumMs + add.rttSumMs,
    ...(min === undefined ? {} : { rttMinMs: min }),
    ...(max === undefined ? {} : { rttMaxMs: max }),
  };
}

/** One row per key, each the merge of the rows given with that key, in order of first appearance. */
export function mergeRollups(rows: readonly ProbeRollup[]): ProbeRollup[] {
  const byKey = new Map<string, ProbeRollup>();
  for (const r of rows) byKey.set(rollupKey(r), mergeRollup(byKey.get(rollupKey(r)), r));
  return [...byKey.values()];
}

/** One state per (pool, member): the last given, as an upsert of each in turn would leave. */
export function lastStates(states: readonly MemberHealth[]): MemberHealth[] {
  const byKey = new Map<string, MemberHealth>();
  for (const s of states) byKey.set(JSON.stringify([s.pool, s.member]), s);
  return [...byKey.values()];
}
