// The memory store's health-checked pools (the PoolStore part of the Store port), with the same rules
// as store/sqlite/pools.ts: a pool's member ids come from its spec; replacing a spec drops the
// overrides and states of members it no longer names; deleting a pool drops everything of it. Every
// method checks and mutates without awaiting in between, so each is atomic; values are cloned in and out.

/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import type { AdminOverride, PoolSpec, ProbeRollup } from "../../core/pools.js";
import { lastStates, memberIds, mergeRollup, rollupKey } from "../pool-records.js";
import type { NodeMemberHealth, PoolStore, StoredPool, StoredTransition } from "../ports.js";
import { byKey } from "./order.js";

interface Pool {
  spec: PoolSpec;
  overrides: Map<string, AdminOverride>;
  createdAt: number;
  updatedAt: number;
}

interface Lease {
  readonly owner: string;
  readonly until: number;
}

const byTuple =
  <T>(...keys: ((t: T) => string | number)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const x = key(a);
      const y = key(b);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

export function createMemoryPools(open: () => void): PoolStore {
  const pools = new Map<string, Pool>();
  /** JSON [pool, member, node] → state. */
  const health = new Map<string, NodeMemberHealth>();
  const transitions: StoredTransition[] = [];
  let lastTransitionId = 0;
  /** rollupKey → row. */
  const rollups = new Map<string, ProbeRollup>();
  const heartbeats = new Map<string, number>();
  let lease: Lease | undefined;

  const has = (pool: string, member: string) => pools.get(pool)?.spec.members.some((m) => m.id === member);

  const stored = (p: Pool): StoredPool => ({
    spec: structuredClone(p.spec),
    overrides: Object.fromEntries([...p.overrides].sort(byKey(([member]) => member))),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  });

  function dropHealth(keep: (s: NodeMemberHealth) => boolean): void {
    for (const [key, s] of health) if (!keep(s)) health.delete(key);
  }

  return {
    async putPool(spec, at) {
      open();
      const saved = pools.get(spec.name);
      const ids = memberIds(spec);
      pools.set(spec.name, {
        spec: structuredClone(spec),
        overrides: new Map([...(saved?.overrides ?? [])].filter(([member]) => ids.has(member))),
        createdAt: saved?.createdAt ?? at,
        updatedAt: at,
      });
      dropHealth((s) => s.pool !== spec.name || ids.has(s.member));
      return { created: saved === undefined };
    },

    async getPool(name) {
      open();
      const p = pools.get(name);
      return p && stored(p);
    },

    async listPools() {
      open();
      return [...pools.values()].sort(byKey((p) => p.spec.name)).map(stored);
    },

    async deletePool(name) {
      open();
      if (!pools.delete(name)) return false;
      dropHealth((s) => s.pool !== name);
      for (let i = transitions.length - 1; i >= 0; i--)
        if (transitions[i]!.pool === name) transitions.splice(i, 1);
      for (const [key, r] of rollups) if (r.pool === name) rollups.delete(key);
      return true;
    },

    async setOverride(pool, member, override) {
      open();
      if (!has(pool, member)) return false;
      const overrides = pools.get(pool)!.overrides;
      if (override === "none") overrides.delete(member);
      else overrides.set(member, override);
      return true;
    },

    async saveMemberHealth(node, states, at) {
      open();
      for (const s of lastStates(states))
        if (has(s.pool, s.member))
          health.set(JSON.stringify([s.pool, s.member, node]), { ...s, node, observedAt: at });
    },

    async listMemberHealth(pool) {
      open();
      return [...health.values()]
        .filter((s) => pool === undefined || s.pool === pool)
        .sort(
          byTuple(
            (s) => s.pool,
            (s) => s.member,
            (s) => s.node,
          ),
        )
        .map((s) => ({ ...s }));
    },

    async appendTransitions(list) {
      open();
      for (const t of list) if (pools.has(t.pool)) transitions.push({ ...t, id: ++lastTransitionId });
    },

    async listTransitions(pool, opts) {
      open();
      const out: StoredTransition[] = [];
      for (let i = transitions.length - 1; i >= 0 && out.length < opts.limit; i--) {
        const t = transitions[i]!;
        if (t.pool !== pool) continue;
        if (opts.before !== undefined && t.id >= opts.before) continue;
        if (opts.member !== undefined && t.member !== opts.member) continue;
        out.push({ ...t });
      }
      return out;
    },

    async addRollups(rows) {
      open();
      for (const r of rows)
        if (pools.has(r.pool)) rollups.set(rollupKey(r), mergeRollup(rollups.get(rollupKey(r)), r));
    },

    async listRollups(pool, since) {
      open();
      return [...rollups.values()]
        .filter((r) => r.pool === pool && r.minute >= since)
        .sort(
          byTuple(
            (r) => r.minute,
            (r) => r.member,
            (r) => r.node,
          ),
        )
        .map((r) => ({ ...r }));
    },

    async pruneHealth(transitionsBefore, rollupsBefore, limit) {
      open();
      let deleted = 0;
      for (let i = 0; i < transitions.length && deleted < limit;)
        if (transitions[i]!.at < transitionsBefore) {
          transitions.splice(i, 1);
          deleted++;
        } else i++;
      let rolled = 0;
      for (const [key, r] of [...rollups].sort(byTuple(([, r]) => r.minute)))
        if (rolled < limit && r.minute < rollupsBefore && rollups.delete(key)) rolled++;
      return deleted + rolled;
    },

    async recordHeartbeat(fqdn, at) {
      open();
      heartbeats.set(fqdn, Math.max(heartbeats.get(fqdn) ?? at, at));
    },

    async listHeartbeats() {
      open();
      return new Map([...heartbeats].sort(byKey(([fqdn]) => fqdn)));
    },

    async claimPublisher(owner, now, leaseMs) {
      open();
      if (lease !== undefined && lease.owner !== owner && lease.until > now) return false;
      lease = { owner, until: now + leaseMs };
      return true;
    },

    async releasePublisher(owner) {
      open();
      if (lease?.owner === owner) lease = undefined;
    },
  };
}
