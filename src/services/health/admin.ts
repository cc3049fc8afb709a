// Managing pools (PoolAdmin) and taking heartbeats (Heartbeats) over the store: what the admin JSON
// routes, the token API and `beacon pool` use. Inside `beacon serve` it is given the live state
// (`live`: the publisher's decisions and this node's probes), so views show what the server answers
// now; in the CLI, which runs beside a server, views are built from what the nodes saved (their
// quorum, the stored record sets). Every change calls `changed` so the server re-reads its pools.

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { parseIp, type ParsedIp } from "../../core/ip.js";
import type { AdminOverride, HealthStatus, MemberHealth, PoolSpec } from "../../core/pools.js";
import type { NodeMemberHealth, PoolStore, StoredPool, ZoneStore } from "../../store/ports.js";
import type { ZoneService } from "../zones.js";
import type { Heartbeats, MemberView, PoolAdmin, PoolView } from "./ports.js";
import { parsePoolSpec } from "./pool-spec.js";
import { freshForMs, type PoolDecision } from "./publisher.js";
import { quorumStatus } from "./quorum.js";
import { effectiveStatus } from "./state.js";

/** What a running server knows beyond the store. */
export interface LiveHealth {
  decision(pool: string): PoolDecision | undefined;
  local(pool: string): ReadonlyMap<string, MemberHealth> | undefined;
  addressesOf(fqdn: string, type: "A" | "AAAA"): readonly string[];
  /** A heartbeat this node took (the monitor need not wait to read it back). */
  noteHeartbeat(fqdn: string, at: number): void;
}

export interface HealthAdminDeps {
  readonly store: PoolStore & Pick<ZoneStore, "getHost" | "getRRSets">;
  readonly zones: Pick<ZoneService, "addHost">;
  readonly clock: Clock;
  /** This node's id (its own saved view is `local` in member views). */
  readonly node: string;
  /** The update policy (updates.allow_non_global): a static address it refuses could never be published. */
  readonly acceptsAddress: (ip: ParsedIp) => boolean;
  readonly live?: LiveHealth;
  readonly changed?: () => void;
}

export function createHealthAdmin(deps: HealthAdminDeps): PoolAdmin & Heartbeats {
  const { store, clock } = deps;

  async function must(name: string): Promise<StoredPool> {
    const pool = await store.getPool(name);
    if (pool === undefined) throw new BeaconError("pool_not_found", `no pool "${name.slice(0, 253)}"`);
    return pool;
  }

  async function addresses(fqdn: string, type: "A" | "AAAA"): Promise<readonly string[]> {
    if (deps.live !== undefined) return deps.live.addressesOf(fqdn, type);
    return (await store.getRRSets(fqdn)).find((s) => s.type === type)?.values ?? [];
  }

  async function view(stored: StoredPool, saved: readonly NodeMemberHealth[]): Promise<PoolView> {
    const { spec } = stored;
    const now = clock();
    const decision = deps.live?.decision(spec.name);
    const local = deps.live?.local(spec.name);
    const members: MemberView[] = [];
    for (const m of spec.members) {
      const mine = saved.filter((s) => s.member === m.id);
      const override = stored.overrides[m.id] ?? "none";
      const ownView = local?.get(m.id) ?? mine.find((s) => s.node === deps.node);
      members.push({
        id: m.id,
        addresses: m.address !== undefined ? [m.address] : await addresses(m.host ?? "", spec.type),
        ...(m.host === undefined ? {} : { host: m.host }),
        priority: m.priority,
        weight: m.weight,
        status: decision?.statuses.get(m.id) ?? savedStatus(spec, mine, override, now),
        override,
        ...(ownView === undefined ? {} : { local: ownView }),
        nodes: mine.map((s) => ({ node: s.node, status: s.status, observedAt: s.observedAt })),
      });
    }
    const set = (await store.getRRSets(spec.name)).find((s) => s.type === spec.type);
    return {
      spec,
      members,
      published: set === undefined ? undefined : { values: set.values, ttl: set.ttl },
      allDown: decision?.allDown ?? members.every((m) => m.status === "down" || m.addresses.length === 0),
      ...(decision?.leader === undefined ? {} : { leader: decision.leader }),
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
    };
  }

  function checkAddresses(spec: PoolSpec): void {
    const all = [
      ...spec.members.flatMap((m, i) =>
        m.address === undefined ? [] : [[`members[${i}].address`, m.address]],
      ),
      ...spec.fallback.map((a, i) => [`fallback[${i}]`, a]),
    ];
    for (const [field, address] of all) {
      const ip = parseIp(address!);
      if (ip === undefined || !deps.acceptsAddress(ip)) {
        throw new BeaconError(
          "invalid_pool",
          `${field}: ${address} is not a global unicast address, which updates refuse (updates.allow_non_global)`,
        );
      }
    }
    if (spec.members.some((m) => m.host === spec.name)) {
      throw new BeaconError("invalid_pool", "members: a member cannot follow the pool's own name");
    }
  }

  const changed = (): void => deps.changed?.();

  return {
    async put(input) {
      const spec = parsePoolSpec(input);
      checkAddresses(spec);
      if ((await store.getHost(spec.name)) === undefined) await deps.zones.addHost(spec.name);
      const { created } = await store.putPool(spec, clock());
      changed();
      return { pool: spec, created };
    },
    async get(name) {
      const stored = await store.getPool(name);
      return stored === undefined ? undefined : view(stored, await store.listMemberHealth(name));
    },
    async list() {
      const [pools, saved] = await Promise.all([store.listPools(), store.listMemberHealth()]);
      return Promise.all(
        pools.map((p) =>
          view(
            p,
            saved.filter((s) => s.pool === p.spec.name),
          ),
        ),
      );
    },
    async delete(name) {
      const deleted = await store.deletePool(name);
      if (deleted) changed();
      return deleted;
    },
    async setOverride(pool, member, override) {
      const stored = await must(pool);
      if (!stored.spec.members.some((m) => m.id === member)) {
        throw new BeaconError("member_not_found", `pool "${pool}" has no member "${member.slice(0, 63)}"`);
      }
      const before: AdminOverride = stored.overrides[member] ?? "none";
      const at = clock();
      if (!(await store.setOverride(pool, member, override, at)))
        throw new BeaconError("pool_not_found", `no pool "${pool}"`);
      if (before !== override) {
        await store.appendTransitions([
          {
            at,
            pool,
            member,
            node: deps.node,
            from: before,
            to: override,
            reason: "override set by an administrator",
          },
        ]);
      }
      changed();
    },
    async transitions(pool, opts) {
      await must(pool);
      return store.listTransitions(pool, opts);
    },
    async rollups(pool, sinceMs) {
      await must(pool);
      return store.listRollups(pool, clock() - sinceMs);
    },
    async beat(fqdn) {
      const at = clock();
      await store.recordHeartbeat(fqdn, at);
      deps.live?.noteHeartbeat(fqdn, at);
      const pools = await store.listPools();
      return pools
        .filter((p) => p.spec.check.type === "heartbeat" && p.spec.members.some((m) => m.host === fqdn))
        .map((p) => p.spec.name);
    },
  };
}

/** A member's status from the nodes' saved views (the CLI's view; the server uses its decision). */
function savedStatus(
  spec: PoolSpec,
  saved: readonly NodeMemberHealth[],
  override: AdminOverride,
  now: number,
): HealthStatus {
  const views = saved.map((s) => ({ status: s.status, observedAt: s.observedAt }));
  return effectiveStatus(quorumStatus(views, now, freshForMs(spec.check.intervalMs)), override);
}
