// The schedule of one record as a state machine: given the record's schedule state and what just
// happened, the next state and what to do. Pure: no timers, no I/O, no clock (events carry `now`);
// jitter comes from the injected `random`. scheduler.ts feeds it events and carries out its effects,
// in order.
//
// The rules (the contract of loop.ts, row by row in record-machine.test.ts):
// - start: the first cycle at once, or when a stored backoff ends; a record stopped by a fatal reply
//   for its current configuration is held (no timer; the scheduler says why in the log).
// - trigger (its timer fired, runNow()): a cycle now. During a cycle it asks for one more right after
//   the current one, bounded: at most MAX_BACK_TO_BACK cycles in a row.
// - interface change it watches: as a trigger, except for a record stopped by a fatal reply.
// - Every `verifyEvery`-th cycle started (0: never) compares with the live record.
// - finished: the report is recorded, then the next run is scheduled by its outcome: healthy →
//   interval ±10%; retry → 30 s doubling to 15 min (backoff.ts); disagreed, insufficient, error →
//   the same but never later than the interval; backoff, waiting → when the service's wait ends;
//   fatal, stopped → no timer (only reload() or runNow() wakes it). Retries count up across failed
//   cycles and start over after a success or a requested wait.
// - reload with a changed (or new) configuration: retries start over and the record runs at once, or
//   when a stored backoff ends; with an unchanged one nothing changes.
// - removed by reload: no timer and no further cycle; a cycle in flight is still recorded (what it
//   published is true whatever the configuration says now).
// - stop: no timer, and a cycle in flight is not recorded (an aborted cycle says nothing about the
//   record); nothing runs again.
// - Before start, cycles (runNow) run and are recorded but arm no timer.

import { jittered, type Random } from "../../core/timers.js";
import { requestedWaitMs, retryDelayMs } from "./backoff.js";
import type { CycleReport } from "./record-state.js";

/** A trigger during a cycle asks for one more, not a queue of them. */
export const MAX_BACK_TO_BACK = 3;

/** ready: before start (no timers); live: scheduled; removed: dropped by reload; stopped: stop(). */
export type Phase = "ready" | "live" | "removed" | "stopped";

export interface RecordState {
  readonly phase: Phase;
  /** Cycles started by the schedule (runOnce's do not count): every verifyEvery-th verifies. */
  readonly cycles: number;
  /** Failed cycles in a row: the retry delay grows with it. */
  readonly attempt: number;
  /** Cycles started back to back by the current run; 0 when no cycle is running. */
  readonly running: number;
  /** A trigger arrived during the running cycle. */
  readonly rerun: boolean;
}

export function initialState(phase: Phase): RecordState {
  return { phase, cycles: 0, attempt: 0, running: 0, rerun: false };
}

/** What a finished cycle tells the schedule. */
export type FinishedReport = Pick<CycleReport, "outcome" | "result" | "at">;

export type RecordEvent =
  /** `held`: stopped by a fatal reply for this configuration; `notBefore`: a stored backoff's end. */
  | {
      readonly kind: "start";
      readonly held: boolean;
      readonly notBefore: number | undefined;
      readonly now: number;
    }
  /** Its timer fired, or runNow(). */
  | { readonly kind: "trigger" }
  /** An interface it watches changed. */
  | { readonly kind: "interface"; readonly held: boolean }
  /** The cycle ended; `notBefore` as the record's memory holds it before the report is applied. */
  | {
      readonly kind: "finished";
      readonly report: FinishedReport;
      readonly notBefore: number | undefined;
      readonly now: number;
    }
  /** The cycle threw (a bug): the run ends, the schedule is left as it was. */
  | { readonly kind: "crashed" }
  /** reload() keeps the record; `changed`: its configuration differs, or it is new. */
  | {
      readonly kind: "reload";
      readonly changed: boolean;
      readonly notBefore: number | undefined;
      readonly now: number;
    }
  /** reload() dropped the record. */
  | { readonly kind: "removed" }
  | { readonly kind: "stop" };

export type Effect =
  /** Apply the finished cycle's report (memory, notifications, status). */
  | { readonly kind: "record" }
  /** (Re)arm the record's timer. */
  | { readonly kind: "arm"; readonly delayMs: number }
  /** Cancel the record's timer, if any. */
  | { readonly kind: "disarm" }
  /** Stopped by an earlier fatal reply: no timer until the configuration changes (tell the user). */
  | { readonly kind: "hold" }
  /** Start a cycle now; `verify`: compare with the live record too. */
  | { readonly kind: "run"; readonly verify: boolean };

export interface Step {
  readonly state: RecordState;
  readonly effects: readonly Effect[];
}

export interface MachineOptions {
  readonly intervalMs: number;
  /** 0 disables verification. */
  readonly verifyEvery: number;
  readonly random: Random;
}

export function step(s: RecordState, e: RecordEvent, o: MachineOptions): Step {
  switch (e.kind) {
    case "start":
      if (s.phase !== "ready") return { state: s, effects: [] };
      return {
        state: { ...s, phase: "live" },
        effects: [e.held ? { kind: "hold" } : arm(waitUntil(e.notBefore, e.now))],
      };
    case "trigger":
      return wake(s, o);
    case "interface":
      return e.held ? { state: s, effects: [] } : wake(s, o);
    case "finished":
      return finished(s, e.report, e.notBefore, e.now, o);
    case "crashed":
      return { state: { ...s, running: 0, rerun: false }, effects: [] };
    case "reload":
      if (!e.changed) return { state: s, effects: [] };
      return {
        state: { ...s, attempt: 0 },
        effects: s.phase === "live" ? [arm(waitUntil(e.notBefore, e.now))] : [],
      };
    case "removed":
    case "stop":
      if (s.phase === "stopped") return { state: s, effects: [] };
      return {
        state: { ...s, phase: e.kind === "stop" ? "stopped" : "removed", rerun: false },
        effects: [{ kind: "disarm" }],
      };
  }
}

function wake(s: RecordState, o: MachineOptions): Step {
  if (s.phase === "stopped" || s.phase === "removed") return { state: s, effects: [] };
  if (s.running > 0) return { state: { ...s, rerun: true }, effects: [] };
  return begin(s, o, [{ kind: "disarm" }]);
}

/** One more cycle, after `before`. */
function begin(s: RecordState, o: MachineOptions, before: readonly Effect[]): Step {
  const cycles = s.cycles + 1;
  const verify = o.verifyEvery > 0 && cycles % o.verifyEvery === 0;
  return {
    state: { ...s, cycles, running: s.running + 1, rerun: false },
    effects: [...before, { kind: "run", verify }],
  };
}

function finished(
  s: RecordState,
  report: FinishedReport,
  notBefore: number | undefined,
  now: number,
  o: MachineOptions,
): Step {
  if (s.phase === "stopped") return { state: { ...s, running: 0, rerun: false }, effects: [] };
  const next = nextRun(s.attempt, report, notBefore, now, o);
  const effects: Effect[] = [{ kind: "record" }];
  if (s.phase === "live") effects.push(next.delayMs === undefined ? { kind: "disarm" } : arm(next.delayMs));
  const after: RecordState = { ...s, attempt: next.attempt };
  if (s.rerun && s.phase !== "removed" && s.running < MAX_BACK_TO_BACK) return begin(after, o, effects);
  return { state: { ...after, running: 0, rerun: false }, effects };
}

/** When the record runs next after a cycle (undefined: not by itself), and the retry count then. */
export function nextRun(
  attempt: number,
  report: FinishedReport,
  notBefore: number | undefined,
  now: number,
  o: MachineOptions,
): { readonly attempt: number; readonly delayMs: number | undefined } {
  switch (report.outcome) {
    case "fatal":
    case "stopped":
      return { attempt, delayMs: undefined };
    case "backoff":
      // The memory the report leaves holds this end (transition.ts).
      return { attempt: 0, delayMs: report.at + requestedWaitMs(report.result) - now };
    case "waiting":
      return { attempt: 0, delayMs: waitUntil(notBefore, now) };
    case "retry":
      return { attempt: attempt + 1, delayMs: retryDelayMs(attempt + 1, o.random) };
    case "disagreed":
    case "insufficient":
    case "error":
      // Often transient (the network is down): retry sooner, but never more often than the interval.
      return {
        attempt: attempt + 1,
        delayMs: Math.min(retryDelayMs(attempt + 1, o.random), jittered(o.intervalMs, o.random)),
      };
    default:
      return { attempt: 0, delayMs: jittered(o.intervalMs, o.random) };
  }
}

function waitUntil(notBefore: number | undefined, now: number): number {
  return notBefore === undefined ? 0 : notBefore - now;
}

/** Timers take whole, non-negative delays. */
function arm(delayMs: number): Effect {
  return { kind: "arm", delayMs: Math.max(0, Math.round(delayMs)) };
}
