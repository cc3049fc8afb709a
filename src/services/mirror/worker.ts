// The mirror delivery worker: one sequential runner per mirror target (runner.ts), so a failing vendor
// parks only its own mirror. It never decides what to send — the outbox, written in the same
// transaction as each change, does — so a restart simply resumes whatever the outbox holds.
//
// Contract:
// - start() resumes every mirror's pending rows at once (a restart is a retry point; the failure count
//   and its backoff continue from the store) — on several nodes, those whose lease it gets.
// - kick() after every commit and whenever another process may have changed the store (mirrors added
//   or removed, CLI edits): new mirrors get a runner, removed ones are dropped, each runner runs unless
//   it is waiting for its nextTryAt.
// - stop() starts nothing new and resolves once the deliveries in flight have finished and been
//   recorded and their leases freed, or after deliveryTimeoutMs at the latest (their signal has
//   fired by then).
//
// Several nodes on one store each run a worker; a mirror's lease (runner.ts) makes one of them at a
// time deliver it. Never two at once under normal operation, and no change is ever lost: a node that
// dies holding a lease is taken over once it expires, one that stops cleanly frees it at once. Only a
// node that stalls past its lease mid-delivery may deliver a change the next holder delivers again,
// which is harmless: every vendor write sets a whole set (an idempotent upsert or delete).

import type { Clock } from "../../core/clock.js";
import type { Provider } from "../../providers/types.js";
import type { MirrorTarget } from "../../store/types.js";
import type { MirrorStore } from "../../store/ports.js";
import type { Log } from "../../core/log.js";
import type { TimerHandle, Timers } from "../../core/timers.js";
import { MirrorRunner } from "./runner.js";

export const DEFAULT_MAX_BACKOFF_MS = 300_000;
export const DEFAULT_DELIVERY_TIMEOUT_MS = 30_000;
/**
 * The lease, by default twice the delivery timeout (60 s): it must cover a third of itself plus one
 * delivery (runner.ts), and it is how long a mirror waits after its node died.
 */
const LEASE_PER_DELIVERY_TIMEOUT = 2;
const DEFAULT_BATCH = 100;
/** After the store could not list the mirrors, look again this much later. */
const RELIST_AFTER_MS = 5_000;

export interface MirrorWorkerDeps {
  readonly store: MirrorStore;
  /** Builds the provider of a mirror (may throw, e.g. a secret file is missing: recorded, retried). */
  readonly provider: (m: MirrorTarget) => Provider;
  readonly clock: Clock;
  readonly log: Log;
  readonly timers: Timers;
  readonly maxBackoffMs?: number;
  /** Bound on one provider call (its signal fires then) and on stop()'s wait. */
  readonly deliveryTimeoutMs?: number;
  /** Rows read per pass; a pass coalesces them. */
  readonly batchSize?: number;
  /** This node's id (unique per process): who holds a mirror's lease, as the status shows it. */
  readonly node: string;
  /** Above 1.5 × deliveryTimeoutMs; 2 × by default. */
  readonly leaseMs?: number;
  /**
   * No other node can deliver from this store (SQLite: the data directory's lock keeps other servers
   * out), so a lease another owner holds was left by an earlier process: freed at once, not waited for.
   */
  readonly alone?: boolean;
}

export interface MirrorWorker {
  start(): void;
  kick(): void;
  stop(): Promise<void>;
}

export function createMirrorWorker(deps: MirrorWorkerDeps): MirrorWorker {
  const { store, log, timers } = deps;
  const deliveryTimeoutMs = deps.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const runnerDeps = {
    ...deps,
    maxBackoffMs: deps.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
    deliveryTimeoutMs,
    batchSize: deps.batchSize ?? DEFAULT_BATCH,
    leaseMs: deps.leaseMs ?? LEASE_PER_DELIVERY_TIMEOUT * deliveryTimeoutMs,
  };
  const runners = new Map<string, MirrorRunner>();
  const retiring = new Set<Promise<void>>();
  let state: "new" | "running" | "stopped" = "new";
  let listing: Promise<void> | undefined;
  let listAgain = false;
  let relist: TimerHandle | undefined;

  /** Runners follow the store's mirrors; a mirror removed and re-added (new createdAt) gets a new one. */
  async function reconcile(): Promise<void> {
    const mirrors = await store.listMirrors();
    if (state !== "running") return;
    const wanted = new Map(mirrors.map((m) => [m.id, m]));
    for (const [id, r] of runners) {
      const m = wanted.get(id);
      if (m !== undefined && m.createdAt === r.target.createdAt) continue;
      runners.delete(id);
      const done = r.stop();
      retiring.add(done);
      void done.finally(() => retiring.delete(done));
    }
    const fresh = mirrors.filter((m) => !runners.has(m.id));
    if (fresh.length > 0) {
      const status = await store.mirrorStatus();
      const attempts = new Map(status.map((s) => [s.id, s.attempts]));
      if (deps.alone === true)
        for (const { id, lease } of status)
          if (lease !== undefined && lease.owner !== deps.node) await store.releaseMirror(id, lease.owner);
      if (state !== "running") return;
      for (const m of fresh) runners.set(m.id, new MirrorRunner(m, attempts.get(m.id) ?? 0, runnerDeps));
    }
    for (const r of runners.values()) r.kick();
  }

  function kick(): void {
    if (state !== "running") return;
    if (listing !== undefined) {
      listAgain = true;
      return;
    }
    listing = (async () => {
      do {
        listAgain = false;
        await reconcile();
      } while (listAgain && state === "running");
    })()
      .catch((e: unknown) => {
        log.warn({ err: e }, "could not read the mirror targets; will look again");
        if (state === "running" && relist === undefined) {
          relist = timers.setTimeout(() => {
            relist = undefined;
            kick();
          }, RELIST_AFTER_MS);
        }
      })
      .finally(() => {
        listing = undefined;
      });
  }

  return {
    start() {
      if (state !== "new") return;
      state = "running";
      kick();
    },
    kick,
    async stop() {
      if (state === "stopped") return;
      state = "stopped";
      if (relist !== undefined) timers.clearTimeout(relist);
      const inFlight = Promise.all([
        listing,
        ...[...runners.values()].map((r) => r.stop()),
        ...retiring,
      ]).then(() => undefined);
      let bound: TimerHandle | undefined;
      const deadline = new Promise<void>((resolve) => {
        bound = timers.setTimeout(resolve, runnerDeps.deliveryTimeoutMs);
      });
      await Promise.race([inFlight, deadline]);
      if (bound !== undefined) timers.clearTimeout(bound);
    },
  };
}
