// The periodic tasks of `beacon serve`. Each runs on an `Every` (the runtime's interval, which never
// keeps the process alive), never twice at once (a tick while one runs is skipped), and reports a
// failure to the log instead of stopping: once per outage (core/failure-log.ts: a warning when it
// starts failing, one info line when it succeeds again), so a store that is away for an hour does not
// write a line a second. Each returns its stop.
// - The history sweep: old entries (history.max_age) are deleted every HISTORY_SWEEP_MS, each run
//   bounded (services/history-retention.ts).
// - Outside changes: commits by other processes (admin commands, other nodes) are applied about once a
//   second, and at once when the store wakes us (ChangeFeed.onExternalChange, PostgreSQL); polls and
//   wake-ups share one guard, so two steps never run at once, and a wake-up during a step runs one more
//   step after it (what woke us may have committed after that step read). `onChange` (the settings a
//   node keeps in memory: keys, mirrors, host flags) hears of each step that changed something, of
//   each step after a settings wake-up, and, as the backstop reconcile, every PRUNE_EVERY_POLLS polls,
//   when the change log is also pruned.

import { failureLog } from "../../core/failure-log.js";
import type { Log } from "../../core/log.js";
import type { ExternalChanges } from "../../services/external-changes.js";
import type { HistorySweeper } from "../../services/history-retention.js";
import type { ChangeFeed } from "../../store/ports.js";

/** Calls `tick` every `ms` until the returned stop is called. */
export type Every = (ms: number, tick: () => void) => () => void;

/** setInterval, unref'd: a timer alone never keeps the process running. */
export const systemEvery: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** How often a running server checks whether another process (the CLI) changed the store. */
export const EXTERNAL_POLL_MS = 1_000;
/** The change log is pruned every this many polls (each removes at most pruneBatch rows). */
export const PRUNE_EVERY_POLLS = 10;
/** How often old history entries are swept. */
export const HISTORY_SWEEP_MS = 60_000;

/**
 * A runner of tasks one at a time: `run(task)` while one runs is skipped, or, with `again`, remembered
 * (the latest such task) and run once the running one ended. A task's failure goes to `failed`.
 */
export function oneAtATime(
  failed: (e: unknown) => void,
): (task: () => Promise<void>, again?: boolean) => void {
  let busy = false;
  let queued: (() => Promise<void>) | undefined;
  const run = (task: () => Promise<void>, again = false): void => {
    if (busy) {
      if (again) queued = task;
      return;
    }
    busy = true;
    task()
      .catch(failed)
      .finally(() => {
        busy = false;
        const next = queued;
        queued = undefined;
        if (next) run(next);
      });
  };
  return run;
}

/** Runs `task` every `ms` (never two at once: a tick while one runs is skipped); returns a stop. */
export function everyUnlessBusy(
  every: Every,
  ms: number,
  task: () => Promise<void>,
  failed: (e: unknown) => void,
): () => void {
  const run = oneAtATime(failed);
  return every(ms, () => run(task));
}

/** Runs a bounded history sweep (history.max_age) every HISTORY_SWEEP_MS. */
export function sweepHistoryPeriodically(sweeper: HistorySweeper, log: Log, every: Every): () => void {
  const report = failureLog(log, "could not prune the update history", "the update history is pruned again");
  return everyUnlessBusy(
    every,
    HISTORY_SWEEP_MS,
    async () => {
      const deleted = await sweeper.sweep();
      report.succeeded();
      if (deleted > 0) log.info({ deleted }, "history entries past history.max_age deleted");
    },
    report.failed,
  );
}

/**
 * Applies commits of other processes (a CLI command, another node) every EXTERNAL_POLL_MS and whenever
 * `wakes` (the store's onExternalChange, when it has one) calls, and tells `onChange` (mirrors may have
 * been added, removed or resynced; keys or flags changed) as the file's comment says. Prunes the change
 * log now and then. The stop also stops listening.
 */
export function watchExternalChanges(
  external: Pick<ExternalChanges, "step" | "prune">,
  log: Log,
  every: Every,
  onChange: () => void,
  wakes?: Pick<ChangeFeed, "onExternalChange">,
): () => void {
  let polls = 0;
  const report = failureLog(
    log,
    "could not check the store for outside changes",
    "the store answers again; outside changes are applied",
  );
  const run = oneAtATime(report.failed);
  // A settings wake-up is remembered until a step has told onChange, whichever wake-up's task runs.
  let settingsPending = false;
  const step = async (reconcile: boolean): Promise<void> => {
    const settings = reconcile || settingsPending;
    settingsPending = false;
    try {
      const changed = await external.step();
      report.succeeded();
      if (settings || changed !== "none") onChange();
    } catch (e) {
      settingsPending ||= settings;
      throw e;
    }
  };
  const stopPolling = every(EXTERNAL_POLL_MS, () =>
    run(async () => {
      const reconcile = ++polls % PRUNE_EVERY_POLLS === 0;
      await step(reconcile);
      if (reconcile) await external.prune();
    }),
  );
  const stopListening = wakes?.onExternalChange?.((settings) => {
    settingsPending ||= settings;
    run(() => step(false), true);
  });
  return () => {
    stopPolling();
    stopListening?.();
  };
}
