// The agent's reconciler: one schedule per record, driven by injected time.
//
// - Each record runs a cycle (reconcile.ts) on `interval` ± 10%, and at once when an interface it
//   watches changes (interfaces are polled about every second, which is cheap: no network).
// - Every `verifyEvery`-th cycle compares with the live record and repairs drift.
// - After a cycle: memory saved when it changed, notifications sent, next run scheduled: the
//   interval after success; exponential retry (30 s doubling, cap 15 min) after `retry` and failed
//   detection; as long as the service asked (≥ 30 min for 911/dnserr) after `backoff`; never again
//   after `fatal`, until reload() brings a changed configuration for that record.
// - A record never runs two cycles at once; a trigger during a cycle runs one more right after.
// - stop() aborts in-flight detection, publishing and notifications, and waits for them to end.

import type { Log } from "../../core/log.js";
import type { AgentRecord } from "./agent-record.js";
import { backoffDelayMs, retryDelayMs } from "./backoff.js";
import {
  changedInterfaces,
  interfaceSignature,
  isAffected,
  type InterfaceSignature,
} from "./interface-watch.js";
import { createDispatcher } from "../notify/dispatch.js";
import type { Notifier } from "../notify/types.js";
import { reconcile, type ReconcileDeps } from "./reconcile.js";
import { isHealthy, type CycleReport, type RecordStatus } from "./record-state.js";
import { jittered, type Random, type TimerHandle } from "../../core/timers.js";
import type { RecordMemory, StateStore } from "../state-file.js";
import { applyReport } from "./transition.js";

export interface LoopOptions {
  readonly intervalMs: number;
  /** 0 disables verification. */
  readonly verifyEvery: number;
  /** Default 1000. */
  readonly interfacePollMs?: number;
  /** Bound for one publish or verification query; default 30 s. */
  readonly publishTimeoutMs?: number;
  /** Bound for one notification; default 10 s. */
  readonly notifyTimeoutMs?: number;
}

export interface LoopDeps extends Omit<ReconcileDeps, "publishTimeoutMs"> {
  readonly random: Random;
  readonly log: Log;
  readonly state: StateStore;
  readonly notifiers: readonly Notifier[];
  /** Called after every cycle (metrics, logs of the caller). Must not throw. */
  readonly onReport?: (report: CycleReport) => void;
}

export interface RunOnceOptions {
  /** Publish even when unchanged or stopped by an earlier fatal result. */
  readonly force?: boolean;
  /** Detect and decide; publish nothing, save nothing, notify nobody. */
  readonly dryRun?: boolean;
  /** Compare with the live record too. */
  readonly verify?: boolean;
}

export interface AgentLoop {
  /** Starts the schedules (first cycle of every record at once, or when a stored backoff ends). */
  start(): void;
  /** Aborts in-flight work, cancels timers, waits for cycles and notifications to end. */
  stop(): Promise<void>;
  /** One cycle of every record now, in parallel; for `beacon update`. Waits for notifications. */
  runOnce(opts?: RunOnceOptions): Promise<CycleReport[]>;
  /**
   * Every record's cycle now, as if its timer fired (a record already in a cycle runs one more right
   * after). Records stopped by a fatal reply stay stopped. No-op after stop().
   */
  runNow(): void;
  /** New configuration: changed or new records run at once (a fatal stop is lifted by the change). */
  reload(records: readonly AgentRecord[]): void;
  status(): RecordStatus[];
  /** Resolves when no cycle is running (tests, shutdown). */
  idle(): Promise<void>;
}

interface Slot {
  record: AgentRecord;
  cycles: number;
  attempt: number;
  timer: TimerHandle | undefined;
  nextRunAt: number | undefined;
  running: Promise<void> | undefined;
  rerun: boolean;
  last: CycleReport | undefined;
  lastSuccessAt: number | undefined;
  failuresTotal: number;
}

export function createAgentLoop(
  initial: readonly AgentRecord[],
  opts: LoopOptions,
  deps: LoopDeps,
): AgentLoop {
  const memory = new Map<string, RecordMemory>(deps.state.load());
  const reconcileDeps: ReconcileDeps = { ...deps, publishTimeoutMs: opts.publishTimeoutMs ?? 30_000 };
  const dispatcher = createDispatcher(deps.notifiers, {
    timers: deps.timers,
    log: deps.log,
    timeoutMs: opts.notifyTimeoutMs ?? 10_000,
  });
  const pollMs = opts.interfacePollMs ?? 1_000;
  let slots = new Map<string, Slot>(initial.map((r) => [r.key, newSlot(r)]));
  const ac = new AbortController();
  let started = false;
  let stopped = false;
  let polling = false;
  let pollTimer: TimerHandle | undefined;
  let lastSignature: InterfaceSignature | undefined;

  function newSlot(record: AgentRecord): Slot {
    return {
      record,
      cycles: 0,
      attempt: 0,
      timer: undefined,
      nextRunAt: undefined,
      running: undefined,
      rerun: false,
      last: undefined,
      lastSuccessAt: undefined,
      failuresTotal: 0,
    };
  }

  /** A NaN delay means "no timer". */
  function arm(slot: Slot, delayMs: number): void {
    disarm(slot);
    if (stopped || !started || Number.isNaN(delayMs)) return;
    const delay = Math.max(0, Math.round(delayMs));
    slot.nextRunAt = deps.clock() + delay;
    slot.timer = deps.timers.setTimeout(() => {
      slot.timer = undefined;
      trigger(slot);
    }, delay);
  }

  function disarm(slot: Slot): void {
    if (slot.timer !== undefined) deps.timers.clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.nextRunAt = undefined;
  }

  function isStoppedByFatal(slot: Slot): boolean {
    return memory.get(slot.record.key)?.fatal?.fingerprint === slot.record.config.fingerprint;
  }

  function trigger(slot: Slot): void {
    if (stopped || slots.get(slot.record.key) !== slot) return;
    if (slot.running !== undefined) {
      slot.rerun = true;
      return;
    }
    disarm(slot);
    slot.running = (async () => {
      // Bounded: a trigger arriving during a cycle asks for one more, not a queue of them.
      for (let i = 0; i < 3; i++) {
        slot.rerun = false;
        await cycle(slot);
        if (!slot.rerun || stopped) break;
      }
    })()
      .catch((e: unknown) =>
        deps.log.error({ fqdn: slot.record.config.fqdn, err: String(e) }, "agent cycle crashed"),
      )
      .finally(() => {
        slot.running = undefined;
      });
  }

  async function cycle(slot: Slot): Promise<void> {
    slot.cycles++;
    const verify = opts.verifyEvery > 0 && slot.cycles % opts.verifyEvery === 0;
    const report = await reconcile(
      {
        record: slot.record,
        memory: memory.get(slot.record.key),
        verify,
        force: false,
        dryRun: false,
        signal: ac.signal,
      },
      reconcileDeps,
    );
    if (stopped) return; // an aborted cycle says nothing about the record
    record(slot, report);
    arm(slot, nextDelay(slot, report));
  }

  /** Applies a report: memory (saved when changed), notifications, counters, logs. */
  function record(slot: Slot, report: CycleReport): void {
    const before = memory.get(slot.record.key);
    const backoff =
      report.result?.status === "backoff"
        ? backoffDelayMs(report.result.code, report.result.retryAfterMs)
        : 0;
    const t = applyReport(before, report, slot.record.config.fingerprint, backoff);
    if (JSON.stringify(t.memory) !== JSON.stringify(before)) {
      if (t.memory === undefined) memory.delete(slot.record.key);
      else memory.set(slot.record.key, t.memory);
      deps.state.save(memory);
    }
    for (const e of t.events) dispatcher.send(e);
    slot.last = report;
    if (t.failed) slot.failuresTotal++;
    if (isHealthy(report.outcome)) slot.lastSuccessAt = report.at;
    log(report);
    try {
      deps.onReport?.(report);
    } catch (e) {
      deps.log.error({ err: String(e) }, "onReport hook threw");
    }
  }

  function nextDelay(slot: Slot, report: CycleReport): number {
    const interval = () => jittered(opts.intervalMs, deps.random);
    switch (report.outcome) {
      case "fatal":
      case "stopped":
        return Number.NaN; // no timer: only reload() wakes it
      case "backoff":
      case "waiting": {
        slot.attempt = 0;
        const until = memory.get(slot.record.key)?.notBefore ?? deps.clock();
        return until - deps.clock();
      }
      case "retry":
        slot.attempt++;
        return retryDelayMs(slot.attempt, deps.random);
      case "disagreed":
      case "insufficient":
      case "error":
        // Often transient (the network is down): retry sooner, but never more often than the interval.
        slot.attempt++;
        return Math.min(retryDelayMs(slot.attempt, deps.random), interval());
      default:
        slot.attempt = 0;
        return interval();
    }
  }

  function log(report: CycleReport): void {
    const fields = { fqdn: report.fqdn, type: report.type, target: report.target, outcome: report.outcome };
    if (report.outcome === "updated" || report.outcome === "noop") deps.log.info(fields, report.detail);
    else if (isHealthy(report.outcome)) deps.log.debug(fields, report.detail);
    else if (report.outcome === "fatal") deps.log.error(fields, report.detail);
    else deps.log.warn(fields, report.detail);
  }

  function startPolling(): void {
    const watched = [...slots.values()].some((s) => s.record.watch !== "none");
    if (!watched || polling || stopped) return;
    polling = true;
    const poll = async () => {
      try {
        const sig = interfaceSignature(await deps.readInterfaces());
        const changed =
          lastSignature === undefined ? new Set<string>() : changedInterfaces(lastSignature, sig);
        lastSignature = sig;
        for (const slot of slots.values()) {
          if (isAffected(slot.record.watch, changed) && !isStoppedByFatal(slot)) {
            deps.log.debug({ fqdn: slot.record.config.fqdn, interfaces: [...changed] }, "interface change");
            trigger(slot);
          }
        }
      } catch (e) {
        deps.log.debug({ err: String(e) }, "cannot read interfaces");
      }
    };
    const tick = () => {
      pollTimer = deps.timers.setTimeout(() => {
        void poll().finally(() => {
          if (!stopped) tick();
        });
      }, pollMs);
    };
    void poll().finally(() => {
      if (!stopped) tick();
    });
  }

  function firstDelay(slot: Slot): number {
    const notBefore = memory.get(slot.record.key)?.notBefore;
    return notBefore === undefined ? 0 : Math.max(0, notBefore - deps.clock());
  }

  async function idle(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const running = [...slots.values()].map((s) => s.running).filter((p) => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      for (const slot of slots.values()) {
        if (isStoppedByFatal(slot)) {
          const fatal = memory.get(slot.record.key)?.fatal;
          deps.log.error(
            { fqdn: slot.record.config.fqdn, type: slot.record.config.type, code: fatal?.code },
            "record stays stopped after a fatal reply until its configuration changes",
          );
          continue;
        }
        arm(slot, firstDelay(slot));
      }
      startPolling();
    },

    async stop() {
      stopped = true;
      if (pollTimer !== undefined) deps.timers.clearTimeout(pollTimer);
      for (const slot of slots.values()) disarm(slot);
      ac.abort(new Error("agent stopping"));
      dispatcher.abort();
      await idle();
      await dispatcher.drain();
    },

    async runOnce(o = {}) {
      const reports = await Promise.all(
        [...slots.values()].map(async (slot) => {
          const report = await reconcile(
            {
              record: slot.record,
              memory: memory.get(slot.record.key),
              verify: o.verify ?? false,
              force: o.force ?? false,
              dryRun: o.dryRun ?? false,
              signal: ac.signal,
            },
            reconcileDeps,
          );
          if (o.dryRun === true) {
            slot.last = report;
            return report;
          }
          record(slot, report);
          return report;
        }),
      );
      await dispatcher.drain();
      return reports;
    },

    runNow() {
      for (const slot of slots.values()) trigger(slot);
    },

    reload(records) {
      const next = new Map<string, Slot>();
      for (const r of records) {
        const old = slots.get(r.key);
        if (old !== undefined && old.record.config.fingerprint === r.config.fingerprint) {
          old.record = r;
          next.set(r.key, old);
          continue;
        }
        const slot = old ?? newSlot(r);
        slot.record = r;
        slot.attempt = 0;
        next.set(r.key, slot);
        if (started) arm(slot, firstDelay(slot));
      }
      for (const [key, slot] of slots) if (!next.has(key)) disarm(slot);
      slots = next;
      if (started) startPolling();
    },

    status() {
      return [...slots.values()].map((slot): RecordStatus => {
        const cfg = slot.record.config;
        const m = memory.get(slot.record.key);
        const outcome = slot.last?.outcome ?? (isStoppedByFatal(slot) ? "stopped" : "pending");
        return {
          fqdn: cfg.fqdn,
          type: cfg.type,
          target: cfg.target,
          outcome,
          healthy: isHealthy(outcome),
          detail:
            slot.last?.detail ??
            (outcome === "stopped" ? `stopped after ${m?.fatal?.code ?? "a fatal reply"}` : "not run yet"),
          published: m?.published?.values,
          publishedAt: m?.published?.at,
          lastRunAt: slot.last?.at,
          lastSuccessAt: slot.lastSuccessAt,
          failuresTotal: slot.failuresTotal,
          detection: slot.last?.detection,
          sources: slot.last?.sources,
          nextRunAt: slot.nextRunAt,
        };
      });
    },

    idle,
  };
}
