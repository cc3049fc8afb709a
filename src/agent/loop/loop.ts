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
// - Records with `heartbeat` also beat from start() to stop() (heartbeat/sender.ts), on their own
//   schedule; runOnce() sends none.
//
// The parts: record-machine.ts decides each record's schedule (pure), scheduler.ts drives it on the
// timers, interface-poller.ts watches the interfaces, recorder.ts applies reports (memory,
// notifications, tallies), record-tally.ts turns them into status. This file wires them.

import type { Log } from "../../core/log.js";
import type { Random } from "../../core/timers.js";
import type { AgentRecord } from "./agent-record.js";
import { createHeartbeatSender, type HeartbeatStatus } from "../heartbeat/sender.js";
import { createInterfacePoller } from "./interface-poller.js";
import { createDispatcher } from "../notify/dispatch.js";
import type { Notifier } from "../notify/types.js";
import { reconcile, type ReconcileDeps } from "./reconcile.js";
import { createRecorder } from "./recorder.js";
import type { CycleReport, RecordStatus } from "./record-state.js";
import { recordStatus } from "./record-tally.js";
import { createScheduler } from "./scheduler.js";
import type { StateStore } from "../state-file.js";

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
  /** Records with heartbeats: how their last beat went. */
  heartbeats(): HeartbeatStatus[];
  /** Resolves when no cycle is running (tests, shutdown). */
  idle(): Promise<void>;
}

export function createAgentLoop(
  initial: readonly AgentRecord[],
  opts: LoopOptions,
  deps: LoopDeps,
): AgentLoop {
  const reconcileDeps: ReconcileDeps = { ...deps, publishTimeoutMs: opts.publishTimeoutMs ?? 30_000 };
  const dispatcher = createDispatcher(deps.notifiers, {
    timers: deps.timers,
    log: deps.log,
    timeoutMs: opts.notifyTimeoutMs ?? 10_000,
  });
  const recorder = createRecorder({
    state: deps.state,
    log: deps.log,
    notify: (e) => dispatcher.send(e),
    onReport: deps.onReport,
  });
  const ac = new AbortController();
  const cycle = (record: AgentRecord, o: Required<RunOnceOptions>) =>
    reconcile({ record, memory: recorder.memory(record.key), ...o, signal: ac.signal }, reconcileDeps);
  const scheduler = createScheduler(initial, {
    timers: deps.timers,
    clock: deps.clock,
    log: deps.log,
    random: deps.random,
    intervalMs: opts.intervalMs,
    verifyEvery: opts.verifyEvery,
    memory: (key) => recorder.memory(key),
    cycle: (record, verify) => cycle(record, { verify, force: false, dryRun: false }),
    record: (slot, report) => recorder.record(slot, report),
  });
  const poller = createInterfacePoller({
    timers: deps.timers,
    log: deps.log,
    readInterfaces: deps.readInterfaces,
    pollMs: opts.interfacePollMs ?? 1_000,
    onChange: (changed) => scheduler.interfacesChanged(changed),
  });
  const heartbeats = createHeartbeatSender(initial, deps);
  let started = false;

  /** Polling starts with the first record that watches an interface, and then goes on. */
  function watchInterfaces(): void {
    if (scheduler.slots().some((s) => s.record.watch !== "none")) poller.start();
  }

  return {
    start() {
      if (started) return;
      started = true;
      scheduler.start();
      heartbeats.start();
      watchInterfaces();
    },

    async stop() {
      scheduler.stop();
      poller.stop();
      ac.abort(new Error("agent stopping"));
      dispatcher.abort();
      await Promise.all([scheduler.idle(), heartbeats.stop()]);
      await dispatcher.drain();
    },

    async runOnce(o = {}) {
      const run = { verify: o.verify ?? false, force: o.force ?? false, dryRun: o.dryRun ?? false };
      const reports = await Promise.all(
        scheduler.slots().map(async (slot) => {
          const report = await cycle(slot.record, run);
          if (run.dryRun) slot.tally = { ...slot.tally, last: report };
          else recorder.record(slot, report);
          return report;
        }),
      );
      await dispatcher.drain();
      return reports;
    },

    runNow: () => scheduler.runNow(),

    reload(records) {
      scheduler.reload(records);
      heartbeats.reload(records);
      if (started) watchInterfaces();
    },

    status: () =>
      scheduler
        .slots()
        .map((s) => recordStatus(s.record, recorder.memory(s.record.key), s.tally, s.nextRunAt)),

    heartbeats: () => heartbeats.status(),

    idle: () => scheduler.idle(),
  };
}
