// This node's prober: probes every member of every pool on its check's schedule and keeps the node's
// own view of each (MemberHealth, through state.ts's rules), from start-up on — never lazily on the
// first query. What it promises:
// - Schedule: a member's first probe comes within min(interval, STAGGER_MS) of load (spread at random,
//   so a restart does not probe everything at once), each next one an interval ±10 % after the last
//   began. A probe still running when the next is due makes that round skip. At most `maxConcurrent`
//   probes run at once; the others wait their turn in order.
// - A member with several addresses (a host member) is probed at each; the sample is ok when every
//   address answered, its RTT the slowest. A host member with no address fails ("no address").
//   "heartbeat" members are up while their host's newest heartbeat (the store's, read at most once a
//   second, plus the ones this node took: noteHeartbeat) is at most check.maxAgeMs old; "none"
//   members are always up.
// - State: resumed from what this node saved before (load reads it once), so a restart keeps
//   verdicts. Every probe updates the state; one that changed what the publisher reads (the status,
//   the streak, or for "fastest" the RTT) tells `changed(pool)` at once (the publisher evaluates in
//   the same tick: answers follow health without waiting for a flush or a tick).
// - Durability: flush() saves the states probed since the last flush, the node's transitions, and
//   the roll-ups of finished minutes (all of them with `final`); a failed flush keeps them for the
//   next one (at most MAX_PENDING transitions, the oldest dropped with a warning).
// - stop() stops scheduling, waits for the probes in flight (each bounded by its timeout), and flushes
//   everything.

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import type {
  CheckSpec,
  HealthTransition,
  MemberHealth,
  MemberSpec,
  PoolSpec,
  ProbeSample,
} from "../../core/pools.js";
import { jittered, type Random, type TimerHandle, type Timers } from "../../core/timers.js";
import type { PoolStore, StoredPool } from "../../store/ports.js";
import type { HealthMetrics } from "./metrics.js";
import type { Prober } from "./ports.js";
import { createRollups } from "./rollups.js";
import { initialHealth, observe } from "./state.js";

export interface MonitorDeps {
  readonly store: Pick<
    PoolStore,
    "listMemberHealth" | "saveMemberHealth" | "appendTransitions" | "addRollups" | "listHeartbeats"
  >;
  readonly prober: Prober;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  readonly log: Log;
  /** This node's id (transitions and saved states carry it). */
  readonly node: string;
  /** The host's current addresses of `type` (the in-memory zone index). */
  readonly addressesOf: (fqdn: string, type: "A" | "AAAA") => readonly string[];
  /**
   * Called after a probe of a member of `pool` changed its status or streak (or, in a "fastest" pool,
   * its RTT). Must not throw.
   */
  readonly changed: (pool: string) => void;
  readonly metrics: HealthMetrics;
  readonly maxConcurrent?: number;
}

export interface Monitor {
  /**
   * Probes exactly these pools from now on: new members are scheduled (staggered), removed ones
   * stop, members whose pool's check or own spec changed are rescheduled (their state kept).
   */
  load(pools: readonly StoredPool[]): Promise<void>;
  /** This node's state of the pool's members (undefined: not probed here). */
  states(pool: string): ReadonlyMap<string, MemberHealth> | undefined;
  /** A heartbeat this node took for the host (so it need not wait for the store's copy). */
  noteHeartbeat(fqdn: string, at: number): void;
  flush(final?: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** First probes are spread over at most this long after load. */
export const STAGGER_MS = 5_000;
/** The store's heartbeats are read at most this often. */
const HEARTBEAT_READ_MS = 1_000;
/** Unsaved transitions kept while the store is away. */
const MAX_PENDING = 10_000;

interface Entry {
  pool: PoolSpec;
  member: MemberSpec;
  /** pool spec + member spec as JSON: a change reschedules. */
  fingerprint: string;
  state: MemberHealth;
  timer: TimerHandle | undefined;
  running: boolean;
  removed: boolean;
}

export function createMonitor(deps: MonitorDeps): Monitor {
  const { store, clock, timers, log, node } = deps;
  const maxConcurrent = deps.maxConcurrent ?? 64;
  const entries = new Map<string, Entry>();
  const byPool = new Map<string, Map<string, MemberHealth>>();
  const dirty = new Set<Entry>();
  let transitions: HealthTransition[] = [];
  const rollups = createRollups(node);
  const waiting: Entry[] = [];
  const inFlight = new Set<Promise<void>>();
  let running = 0;
  let stopped = false;
  let resumed: Map<string, MemberHealth> | undefined;
  const heartbeats = new Map<string, number>();
  let heartbeatsReadAt = -Infinity;

  const key = (pool: string, member: string): string => `${pool}\n${member}`;

  function setState(e: Entry, state: MemberHealth): void {
    e.state = state;
    let states = byPool.get(e.pool.name);
    if (states === undefined) byPool.set(e.pool.name, (states = new Map<string, MemberHealth>()));
    states.set(e.member.id, state);
  }

  function schedule(e: Entry, delay: number): void {
    if (stopped || e.removed) return;
    if (e.timer !== undefined) timers.clearTimeout(e.timer);
    e.timer = timers.setTimeout(() => {
      e.timer = undefined;
      due(e);
    }, delay);
  }

  function due(e: Entry): void {
    if (stopped || e.removed) return;
    schedule(e, jittered(e.pool.check.intervalMs, deps.random));
    if (e.running) return; // the last probe is still out: skip this round
    e.running = true;
    if (running < maxConcurrent) start(e);
    else waiting.push(e);
  }

  function start(e: Entry): void {
    running++;
    const p = probeOnce(e)
      .catch((err: unknown) =>
        log.error({ err, pool: e.pool.name, member: e.member.id }, "health probe failed"),
      )
      .finally(() => {
        running--;
        e.running = false;
        inFlight.delete(p);
        const next = waiting.shift();
        if (next !== undefined && !stopped) start(next);
        else if (next !== undefined) next.running = false;
      });
    inFlight.add(p);
  }

  async function probeOnce(e: Entry): Promise<void> {
    const at = clock();
    const result = await sample(e.pool, e.member, at);
    if (e.removed) return;
    const s: ProbeSample = { ...result, at };
    const before = e.state;
    const { state, change } = observe(before, s, e.pool.check);
    setState(e, state);
    dirty.add(e);
    rollups.add(e.pool.name, e.member.id, s);
    deps.metrics.probed(e.pool.name, e.member.id, s.ok, s.rttMs);
    deps.metrics.rtt(e.pool.name, e.member.id, state.rttMs);
    if (change !== undefined) {
      transitions.push({
        at,
        pool: e.pool.name,
        member: e.member.id,
        node,
        from: change.from,
        to: change.to,
        reason: change.reason,
        ...(s.rttMs === undefined ? {} : { rttMs: s.rttMs }),
      });
      if (transitions.length > MAX_PENDING) {
        transitions = transitions.slice(-MAX_PENDING);
        log.warn({ kept: MAX_PENDING }, "health transitions could not be saved; the oldest were dropped");
      }
      log.info(
        { pool: e.pool.name, member: e.member.id, from: change.from, to: change.to, reason: change.reason },
        "pool member changed state (this node's view)",
      );
    }
    // What the publisher reads of it: the status, the streak (the TTL), the RTT for "fastest". A probe
    // that changed none of these (the steady state) costs no evaluation; the tick still runs one.
    const relevant =
      change !== undefined ||
      state.streak !== before.streak ||
      (e.pool.steering === "fastest" && state.rttMs !== before.rttMs);
    if (relevant) deps.changed(e.pool.name);
  }

  async function sample(pool: PoolSpec, member: MemberSpec, at: number): Promise<Omit<ProbeSample, "at">> {
    const check = pool.check;
    if (check.type === "none") return { ok: true };
    if (check.type === "heartbeat") return heartbeatSample(member, check, at);
    const addresses =
      member.address !== undefined ? [member.address] : deps.addressesOf(member.host ?? "", pool.type);
    if (addresses.length === 0) return { ok: false, reason: "no address" };
    const results = await Promise.all(
      addresses.map((address) => deps.prober({ address, check, poolName: pool.name })),
    );
    const failed = results.findIndex((r) => !r.ok);
    if (failed >= 0) {
      const reason = results[failed]!.reason ?? "failed";
      return { ok: false, reason: addresses.length > 1 ? `${addresses[failed]}: ${reason}` : reason };
    }
    const rtts = results.map((r) => r.rttMs).filter((r): r is number => r !== undefined);
    return rtts.length > 0 ? { ok: true, rttMs: Math.max(...rtts) } : { ok: true };
  }

  async function heartbeatSample(
    member: MemberSpec,
    check: CheckSpec,
    at: number,
  ): Promise<Omit<ProbeSample, "at">> {
    if (at - heartbeatsReadAt >= HEARTBEAT_READ_MS) {
      heartbeatsReadAt = at;
      for (const [fqdn, beat] of await store.listHeartbeats()) noteHeartbeat(fqdn, beat);
    }
    const last = heartbeats.get(member.host ?? "");
    if (last === undefined) return { ok: false, reason: "no heartbeat yet" };
    const age = at - last;
    const maxAge = check.maxAgeMs ?? 2 * check.intervalMs;
    return age <= maxAge
      ? { ok: true }
      : { ok: false, reason: `last heartbeat ${Math.round(age / 1000)} s ago` };
  }

  function noteHeartbeat(fqdn: string, at: number): void {
    if (at > (heartbeats.get(fqdn) ?? -Infinity)) heartbeats.set(fqdn, at);
  }

  async function load(pools: readonly StoredPool[]): Promise<void> {
    if (resumed === undefined) {
      resumed = new Map();
      for (const s of await store.listMemberHealth()) {
        if (s.node === node) resumed.set(key(s.pool, s.member), s);
      }
    }
    const now = clock();
    const seen = new Set<string>();
    for (const { spec } of pools) {
      for (const member of spec.members) {
        const k = key(spec.name, member.id);
        seen.add(k);
        const fingerprint = JSON.stringify([spec, member]);
        const old = entries.get(k);
        if (old !== undefined && old.fingerprint === fingerprint) continue;
        const state = old?.state ?? resumed.get(k) ?? initialHealth(spec.name, member.id, now);
        const e: Entry = old ?? {
          pool: spec,
          member,
          fingerprint,
          state,
          timer: undefined,
          running: false,
          removed: false,
        };
        e.pool = spec;
        e.member = member;
        e.fingerprint = fingerprint;
        entries.set(k, e);
        setState(e, state);
        schedule(e, Math.floor(deps.random() * Math.min(spec.check.intervalMs, STAGGER_MS)));
      }
    }
    for (const [k, e] of entries) {
      if (seen.has(k)) continue;
      e.removed = true;
      if (e.timer !== undefined) timers.clearTimeout(e.timer);
      entries.delete(k);
      dirty.delete(e);
      byPool.get(e.pool.name)?.delete(e.member.id);
      if (byPool.get(e.pool.name)?.size === 0) byPool.delete(e.pool.name);
      deps.metrics.forget(e.pool.name, [e.member.id]);
    }
  }

  async function flush(final = false): Promise<void> {
    const states = [...dirty];
    const pending = transitions;
    const finished = rollups.take(final ? Infinity : clock());
    dirty.clear();
    transitions = [];
    try {
      if (states.length > 0)
        await store.saveMemberHealth(
          node,
          states.map((e) => e.state),
          clock(),
        );
      if (pending.length > 0) await store.appendTransitions(pending);
      if (finished.length > 0) await store.addRollups(finished);
    } catch (e) {
      for (const s of states) if (!s.removed) dirty.add(s);
      transitions = [...pending, ...transitions];
      rollups.putBack(finished);
      throw e;
    }
  }

  return {
    load,
    states: (pool) => byPool.get(pool),
    noteHeartbeat,
    flush,
    async stop() {
      stopped = true;
      for (const e of entries.values()) if (e.timer !== undefined) timers.clearTimeout(e.timer);
      for (const e of waiting.splice(0)) e.running = false;
      await Promise.all(inFlight);
      await flush(true);
    },
  };
}
