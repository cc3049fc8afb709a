// Turns the members' health into each pool's answer. One node at a time publishes (the store's
// publisher lease): it decides every member's effective status — the quorum of the nodes' fresh views
// (this node's own in memory, the others' as saved: quorum.ts), then the admin's override — steers
// (steering.ts, fastest.ts), and when the chosen set or its TTL (ttl.ts) differs from what the owner
// name holds, writes it through the update service as an ordinary record set (protocol "pool"), so
// the DNS index, history, secondaries (NOTIFY/IXFR) and mirrors follow in the same commit. Effective
// state changes are counted, logged and sent as notifications (exactly once: only the lease holder
// sends them; the first evaluation after start only learns the current state).
// Every node evaluates (its API and console show the same view), but only the holder writes.
// evaluate() runs one at a time; a call while one runs runs once more after it, for every pool named
// by the calls in between (all of them when one named none).

import type { Clock } from "../../core/clock.js";
import { failureLog } from "../../core/failure-log.js";
import type { Log } from "../../core/log.js";
import type { HealthStatus, MemberHealth, PoolSpec } from "../../core/pools.js";
import type { UpdateService } from "../apply-update.js";
import type { PoolEventFields, PoolEventKind } from "../notify/events.js";
import type { NodeMemberHealth, PoolStore, StoredPool } from "../../store/ports.js";
import { chooseFastest, type LeaderState } from "./fastest.js";
import type { HealthMetrics } from "./metrics.js";
import { quorumStatus } from "./quorum.js";
import { effectiveStatus } from "./state.js";
import { steer } from "./steering.js";
import { answerTtl } from "./ttl.js";

/** A pool event, as webhooks report it (services/notify/events.ts). */
export type PoolEvent = { readonly kind: PoolEventKind } & PoolEventFields;

/** Per-query choice for weighted and hashed pools (dns/answer/steering.ts implements it). */
export interface AnswerRules {
  set(
    name: string,
    type: "A" | "AAAA",
    rule: { readonly mode: "weighted" | "hashed"; readonly weights: ReadonlyMap<string, number> } | undefined,
  ): void;
}

export interface PublisherDeps {
  readonly store: Pick<PoolStore, "listMemberHealth" | "claimPublisher" | "releasePublisher">;
  readonly updates: Pick<UpdateService, "update">;
  readonly clock: Clock;
  readonly log: Log;
  /** This node's name (its saved views are its own, events carry it). */
  readonly node: string;
  /** Unique to this process: who holds the publisher lease (two processes never share it). */
  readonly leaseOwner: string;
  /** This node's states (the monitor's). */
  readonly local: (pool: string) => ReadonlyMap<string, MemberHealth> | undefined;
  readonly addressesOf: (fqdn: string, type: "A" | "AAAA") => readonly string[];
  /** What the owner name holds now (the DNS index): undefined when it has no set of the type. */
  readonly published: (
    fqdn: string,
    type: "A" | "AAAA",
  ) => { readonly values: readonly string[]; readonly ttl: number } | undefined;
  /** Several nodes share the store: read the others' views for the quorum. */
  readonly shared: boolean;
  readonly metrics: HealthMetrics;
  readonly notify?: (events: readonly PoolEvent[]) => Promise<void>;
  readonly rules?: AnswerRules;
}

/** What the publisher decided for a pool at its last evaluation. */
export interface PoolDecision {
  readonly statuses: ReadonlyMap<string, HealthStatus>;
  readonly values: readonly string[];
  readonly ttl: number;
  readonly allDown: boolean;
  readonly leader?: string;
  readonly at: number;
}

export interface Publisher {
  setPools(pools: readonly StoredPool[]): void;
  /**
   * Evaluates `pool`, or every pool, now (coalesced: at most one more run after the one under way).
   * A failure is logged (once per outage) and the pools are evaluated again at the next call.
   */
  evaluate(pool?: string): Promise<void>;
  decision(pool: string): PoolDecision | undefined;
  /** Gives up the lease. */
  stop(): Promise<void>;
}

/** The publisher lease: held this long, renewed when a third of it has passed. */
export const PUBLISHER_LEASE_MS = 15_000;
/** Other nodes' views are read at most this often. */
const OBSERVATIONS_READ_MS = 1_000;
/** A node's view counts for the quorum while its probes are at most this many check intervals old. */
export const FRESH_INTERVALS = 3;
/**
 * How much older a saved view can be than its newest probe, as the publisher holds it: nodes save
 * their views every 2 s (cli/serve/pools.ts TICK_MS) and the others' are read once a second.
 */
export const SAVE_LAG_MS = 2_000 + OBSERVATIONS_READ_MS;

/** A saved view counts for the quorum while at most this old (ms). */
export function freshForMs(intervalMs: number): number {
  return FRESH_INTERVALS * intervalMs + SAVE_LAG_MS;
}

export function createPublisher(deps: PublisherDeps): Publisher {
  const { clock, log, node } = deps;
  let pools: readonly StoredPool[] = [];
  const decisions = new Map<string, PoolDecision>();
  const leaders = new Map<string, LeaderState & { readonly roundAt: number }>();
  /** Other nodes' saved views, by pool, then member. */
  let others = new Map<string, Map<string, NodeMemberHealth[]>>();
  let othersReadAt = -Infinity;
  let claimedAt = -Infinity;
  let holder = false;
  let running: Promise<void> | undefined;
  let again = false;
  const report = failureLog(
    log,
    "could not publish the pools' answers",
    "the pools' answers are published again",
  );

  /**
   * Whether this node publishes: the lease is claimed (or renewed) at most once a third of its length,
   * whether this node holds it or not, so a node that does not costs the store one write per 5 s, not
   * one per probe; a lapsed lease is taken over within 5 s of lapsing.
   */
  async function lease(now: number): Promise<boolean> {
    if (now - claimedAt < PUBLISHER_LEASE_MS / 3) return holder;
    claimedAt = now;
    holder = await deps.store.claimPublisher(deps.leaseOwner, now, PUBLISHER_LEASE_MS);
    return holder;
  }

  async function readOthers(now: number): Promise<void> {
    if (!deps.shared || now - othersReadAt < OBSERVATIONS_READ_MS) return;
    othersReadAt = now;
    const byPool = new Map<string, Map<string, NodeMemberHealth[]>>();
    for (const s of await deps.store.listMemberHealth()) {
      if (s.node === node) continue;
      let members = byPool.get(s.pool);
      if (members === undefined) byPool.set(s.pool, (members = new Map<string, NodeMemberHealth[]>()));
      members.set(s.member, [...(members.get(s.member) ?? []), s]);
    }
    others = byPool;
  }

  function statusOf(
    pool: PoolSpec,
    member: string,
    local: MemberHealth | undefined,
    now: number,
  ): HealthStatus {
    const maxAge = freshForMs(pool.check.intervalMs);
    const views = (others.get(pool.name)?.get(member) ?? []).map((s) => ({
      status: s.status,
      observedAt: s.observedAt,
    }));
    if (local !== undefined) views.push({ status: local.status, observedAt: now });
    return quorumStatus(views, now, maxAge);
  }

  function fastestLeader(
    pool: PoolSpec,
    usable: readonly string[],
    local: ReadonlyMap<string, MemberHealth> | undefined,
    now: number,
  ): string | undefined {
    if (pool.steering !== "fastest") return undefined;
    const prev = leaders.get(pool.name) ?? { rounds: 0, roundAt: -Infinity };
    // One hysteresis round per check interval, however often the pool is evaluated.
    if (
      now - prev.roundAt < pool.check.intervalMs * 0.9 &&
      prev.leader !== undefined &&
      usable.includes(prev.leader)
    )
      return prev.leader;
    const order = [...pool.members].sort((a, b) => a.priority - b.priority).map((m) => m.id);
    const candidates = order
      .filter((id) => usable.includes(id))
      .map((id) => {
        const rtt = local?.get(id)?.rttMs;
        return rtt === undefined ? { id } : { id, rttMs: rtt };
      });
    const next = chooseFastest(candidates, prev);
    leaders.set(pool.name, { ...next, roundAt: now });
    return next.leader;
  }

  async function evaluatePool(stored: StoredPool, now: number, publishing: boolean): Promise<void> {
    const pool = stored.spec;
    const local = deps.local(pool.name);
    const statuses = new Map<string, HealthStatus>();
    const members = pool.members.map((m) => {
      const override = stored.overrides[m.id] ?? "none";
      const status = effectiveStatus(statusOf(pool, m.id, local?.get(m.id), now), override);
      statuses.set(m.id, status);
      const addresses = m.address !== undefined ? [m.address] : deps.addressesOf(m.host ?? "", pool.type);
      return { spec: m, addresses, status, override, streak: local?.get(m.id)?.streak ?? 0 };
    });
    const usableIds = members
      .filter((m) => m.status !== "down" && m.addresses.length > 0)
      .map((m) => m.spec.id);
    const leader = fastestLeader(pool, usableIds, local, now);
    const chosen = steer({ spec: pool, members, ...(leader === undefined ? {} : { leader }) });
    const ttl = answerTtl(members, pool.check, pool);
    const before = decisions.get(pool.name);
    const decision: PoolDecision = {
      statuses,
      values: chosen.values,
      ttl,
      allDown: chosen.allDown,
      ...(leader === undefined ? {} : { leader }),
      at: now,
    };
    for (const m of members) deps.metrics.status(pool.name, m.spec.id, m.status);
    deps.metrics.allDown(pool.name, chosen.allDown);
    setRule(pool, members);
    if (publishing) {
      await write(pool, chosen.values, ttl);
      if (before !== undefined) await announce(pool, before, decision, now);
    }
    // Only now: a write or notification that failed is tried again, against the same "before".
    decisions.set(pool.name, decision);
  }

  function setRule(
    pool: PoolSpec,
    members: readonly { spec: { weight: number }; addresses: readonly string[] }[],
  ): void {
    if (deps.rules === undefined) return;
    if (pool.steering !== "weighted" && pool.steering !== "hashed") {
      deps.rules.set(pool.name, pool.type, undefined);
      return;
    }
    const weights = new Map<string, number>();
    for (const m of members)
      for (const a of m.addresses) weights.set(a, Math.max(weights.get(a) ?? 0, m.spec.weight));
    deps.rules.set(pool.name, pool.type, { mode: pool.steering, weights });
  }

  async function write(pool: PoolSpec, values: readonly string[], ttl: number): Promise<void> {
    const now = deps.published(pool.name, pool.type);
    const same =
      values.length === 0
        ? now === undefined
        : now !== undefined &&
          now.ttl === ttl &&
          now.values.length === values.length &&
          now.values.every((v, i) => v === values[i]);
    if (same) return;
    const [outcome] = await deps.updates.update({
      token: undefined,
      hosts: [pool.name],
      sets: { [pool.type]: values.length === 0 ? null : { values, ttl } },
      source: { ip: "", userAgent: undefined, protocol: "pool", tokenId: undefined },
    });
    if (outcome?.status === "failed") {
      throw Object.assign(new Error(`${pool.name}: ${outcome.code}: ${outcome.message}`), {
        code: outcome.code,
      });
    }
    deps.metrics.published(pool.name);
    log.info({ pool: pool.name, values, ttl }, "pool answer published");
  }

  async function announce(
    pool: PoolSpec,
    before: PoolDecision,
    after: PoolDecision,
    now: number,
  ): Promise<void> {
    const events: PoolEvent[] = [];
    for (const [member, to] of after.statuses) {
      const from = before.statuses.get(member);
      if (from === undefined || from === to || to === "unknown") continue;
      if (from === "unknown" && to === "up") continue;
      deps.metrics.transition(pool.name, member, to);
      const reason =
        deps.local(pool.name)?.get(member)?.lastReason ?? (to === "up" ? "healthy" : "unhealthy");
      log.info({ pool: pool.name, member, from, to }, "pool member is " + to);
      const rttMs = deps.local(pool.name)?.get(member)?.rttMs;
      events.push({
        kind: to === "up" ? "pool.member_up" : "pool.member_down",
        pool: pool.name,
        member,
        from,
        to,
        reason,
        at: now,
        node,
        ...(rttMs === undefined ? {} : { rttMs }),
        published: after.values,
      });
    }
    if (before.allDown !== after.allDown) {
      log.warn(
        { pool: pool.name, allDown: after.allDown },
        after.allDown ? "every member of the pool is down" : "the pool has a usable member again",
      );
      events.push({
        kind: after.allDown ? "pool.all_down" : "pool.recovered",
        pool: pool.name,
        from: after.allDown ? "up" : "down",
        to: after.allDown ? "down" : "up",
        reason: after.allDown
          ? `no usable member; answering per when_all_down "${pool.whenAllDown}"`
          : "a member is usable again",
        at: now,
        node,
        published: after.values,
      });
    }
    if (events.length > 0) await deps.notify?.(events);
  }

  /** Pools to evaluate at the next run; "all" after a call without a pool. */
  let pending: Set<string> | "all" = new Set();

  async function run(): Promise<void> {
    const now = clock();
    const names = pending;
    pending = new Set();
    const chosen = names === "all" ? pools : pools.filter((p) => names.has(p.spec.name));
    if (chosen.length === 0) return;
    const publishing = await lease(now);
    await readOthers(now);
    let failure: Error | undefined;
    for (const p of chosen) {
      try {
        await evaluatePool(p, now, publishing);
      } catch (e) {
        failure ??= e instanceof Error ? e : new Error(String(e));
      }
    }
    if (failure !== undefined) throw failure;
  }

  async function evaluate(pool?: string): Promise<void> {
    if (pool === undefined) pending = "all";
    else if (pending !== "all") pending.add(pool);
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await run();
          report.succeeded();
        } catch (e) {
          report.failed(e);
        }
      } while (again);
    })().finally(() => (running = undefined));
    return running;
  }

  return {
    setPools(next) {
      const names = new Set(next.map((p) => p.spec.name));
      for (const p of pools) {
        if (names.has(p.spec.name)) continue;
        decisions.delete(p.spec.name);
        leaders.delete(p.spec.name);
        deps.rules?.set(p.spec.name, p.spec.type, undefined);
        deps.metrics.forget(
          p.spec.name,
          p.spec.members.map((m) => m.id),
        );
      }
      pools = next;
    },
    evaluate,
    decision: (pool) => decisions.get(pool),
    async stop() {
      await running;
      if (holder) await deps.store.releasePublisher(deps.leaseOwner).catch(() => undefined);
      holder = false;
    },
  };
}
