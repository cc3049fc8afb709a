import { describe, expect, test } from "vitest";
import { DYNDNS2_BACKOFF_MIN_MS, RETRY_BASE_MS, RETRY_CAP_MS } from "./backoff.js";
import {
  initialState,
  MAX_BACK_TO_BACK,
  step,
  type Effect,
  type FinishedReport,
  type MachineOptions,
  type RecordEvent,
  type RecordState,
} from "./record-machine.js";
import type { CycleOutcome } from "./record-state.js";

const NOW = 1_700_000_000_000;
const INTERVAL = 300_000;
const OPTS: MachineOptions = { intervalMs: INTERVAL, verifyEvery: 3, random: () => 0.5 }; // 0.5: no jitter

const live = (s: Partial<RecordState> = {}): RecordState => ({ ...initialState("live"), ...s });
/** A live record in the middle of its first cycle. */
const busy = (s: Partial<RecordState> = {}): RecordState => live({ cycles: 1, running: 1, ...s });

function finished(
  outcome: CycleOutcome,
  o: { result?: FinishedReport["result"]; at?: number; notBefore?: number } = {},
): RecordEvent {
  const report: FinishedReport = { outcome, result: o.result, at: o.at ?? NOW };
  return { kind: "finished", report, notBefore: o.notBefore, now: NOW };
}

const start = (held = false, notBefore?: number): RecordEvent => ({
  kind: "start",
  held,
  notBefore,
  now: NOW,
});
const reload = (changed: boolean, notBefore?: number): RecordEvent => ({
  kind: "reload",
  changed,
  notBefore,
  now: NOW,
});
const trigger: RecordEvent = { kind: "trigger" };
const arm = (delayMs: number): Effect => ({ kind: "arm", delayMs });
const disarm: Effect = { kind: "disarm" };
const record: Effect = { kind: "record" };
const run = (verify = false): Effect => ({ kind: "run", verify });

interface Row {
  readonly rule: string;
  readonly from: RecordState;
  readonly on: RecordEvent;
  readonly to: RecordState;
  readonly effects: readonly Effect[];
  readonly opts?: Partial<MachineOptions>;
}

const rows: Row[] = [
  // start
  {
    rule: "start: the first cycle at once",
    from: initialState("ready"),
    on: start(),
    to: live(),
    effects: [arm(0)],
  },
  {
    rule: "start: when a stored backoff ends",
    from: initialState("ready"),
    on: start(false, NOW + 60_000),
    to: live(),
    effects: [arm(60_000)],
  },
  {
    rule: "start: a stored backoff already over runs at once",
    from: initialState("ready"),
    on: start(false, NOW - 5_000),
    to: live(),
    effects: [arm(0)],
  },
  {
    rule: "start: a record stopped by a fatal reply is held, no timer",
    from: initialState("ready"),
    on: start(true),
    to: live(),
    effects: [{ kind: "hold" }],
  },
  { rule: "start twice: nothing more", from: live(), on: start(), to: live(), effects: [] },
  {
    rule: "start after stop: nothing",
    from: initialState("stopped"),
    on: start(),
    to: initialState("stopped"),
    effects: [],
  },

  // trigger (timer fired, runNow)
  {
    rule: "trigger: cancels the timer and runs a cycle now",
    from: live(),
    on: trigger,
    to: busy(),
    effects: [disarm, run()],
  },
  {
    rule: "trigger: every verifyEvery-th cycle verifies",
    from: live({ cycles: 2 }),
    on: trigger,
    to: busy({ cycles: 3 }),
    effects: [disarm, run(true)],
  },
  {
    rule: "trigger: verifyEvery 0 never verifies",
    from: live({ cycles: 2 }),
    on: trigger,
    to: busy({ cycles: 3 }),
    effects: [disarm, run(false)],
    opts: { verifyEvery: 0 },
  },
  {
    rule: "trigger during a cycle: one more right after, no second cycle now",
    from: busy(),
    on: trigger,
    to: busy({ rerun: true }),
    effects: [],
  },
  {
    rule: "trigger during a cycle that already has one more queued: still one more",
    from: busy({ rerun: true }),
    on: trigger,
    to: busy({ rerun: true }),
    effects: [],
  },
  {
    rule: "trigger before start (runNow): runs",
    from: initialState("ready"),
    on: trigger,
    to: { ...initialState("ready"), cycles: 1, running: 1 },
    effects: [disarm, run()],
  },
  {
    rule: "trigger after stop: nothing",
    from: initialState("stopped"),
    on: trigger,
    to: initialState("stopped"),
    effects: [],
  },
  {
    rule: "trigger of a removed record: nothing",
    from: live({ phase: "removed" }),
    on: trigger,
    to: live({ phase: "removed" }),
    effects: [],
  },

  // a watched interface changed
  {
    rule: "interface change: runs like a trigger",
    from: live(),
    on: { kind: "interface", held: false },
    to: busy(),
    effects: [disarm, run()],
  },
  {
    rule: "interface change during a cycle: one more right after",
    from: busy(),
    on: { kind: "interface", held: false },
    to: busy({ rerun: true }),
    effects: [],
  },
  {
    rule: "interface change of a record stopped by a fatal reply: ignored",
    from: live(),
    on: { kind: "interface", held: true },
    to: live(),
    effects: [],
  },

  // a cycle finished: record the report, then schedule by outcome
  ...(["unchanged", "verified", "updated", "noop", "would_publish"] as const).map((outcome): Row => ({
    rule: `finished ${outcome}: the interval, retries start over`,
    from: busy({ attempt: 4 }),
    on: finished(outcome),
    to: live({ cycles: 1 }),
    effects: [record, arm(INTERVAL)],
  })),
  {
    rule: "finished healthy: the interval is jittered ±10%",
    from: busy(),
    on: finished("updated"),
    to: live({ cycles: 1 }),
    effects: [record, arm(INTERVAL * 0.9)],
    opts: { random: () => 0 },
  },
  {
    rule: "finished retry: 30 s after the first failure",
    from: busy(),
    on: finished("retry"),
    to: live({ cycles: 1, attempt: 1 }),
    effects: [record, arm(RETRY_BASE_MS)],
  },
  {
    rule: "finished retry: doubling",
    from: busy({ attempt: 4 }),
    on: finished("retry"),
    to: live({ cycles: 1, attempt: 5 }),
    effects: [record, arm(16 * RETRY_BASE_MS)],
  },
  {
    rule: "finished retry: capped at 15 min",
    from: busy({ attempt: 9 }),
    on: finished("retry"),
    to: live({ cycles: 1, attempt: 10 }),
    effects: [record, arm(RETRY_CAP_MS)],
  },
  ...(["disagreed", "insufficient", "error"] as const).flatMap((outcome): Row[] => [
    {
      rule: `finished ${outcome}: retried like a failed publish`,
      from: busy({ attempt: 1 }),
      on: finished(outcome),
      to: live({ cycles: 1, attempt: 2 }),
      effects: [record, arm(2 * RETRY_BASE_MS)],
    },
    {
      rule: `finished ${outcome}: never later than the interval`,
      from: busy({ attempt: 7 }),
      on: finished(outcome),
      to: live({ cycles: 1, attempt: 8 }),
      effects: [record, arm(INTERVAL)],
    },
  ]),
  {
    rule: "finished backoff 911: at least 30 min, retries start over",
    from: busy({ attempt: 3 }),
    on: finished("backoff", { result: { status: "backoff", code: "911", detail: "x", retryAfterMs: 0 } }),
    to: live({ cycles: 1 }),
    effects: [record, arm(DYNDNS2_BACKOFF_MIN_MS)],
  },
  {
    rule: "finished backoff: as long as the service asked, counted from the report",
    from: busy(),
    on: finished("backoff", {
      result: { status: "backoff", code: "rate_limited", detail: "x", retryAfterMs: 120_000 },
      at: NOW - 1_000,
    }),
    to: live({ cycles: 1 }),
    effects: [record, arm(119_000)],
  },
  {
    rule: "finished waiting: until the stored backoff ends",
    from: busy({ attempt: 2 }),
    on: finished("waiting", { notBefore: NOW + 42_000 }),
    to: live({ cycles: 1 }),
    effects: [record, arm(42_000)],
  },
  {
    rule: "finished fatal: no timer, only reload wakes it",
    from: busy({ attempt: 2 }),
    on: finished("fatal", { result: { status: "fatal", code: "badauth", detail: "x" } }),
    to: live({ cycles: 1, attempt: 2 }),
    effects: [record, disarm],
  },
  {
    rule: "finished stopped (held by a fatal reply): no timer",
    from: busy(),
    on: finished("stopped"),
    to: live({ cycles: 1 }),
    effects: [record, disarm],
  },
  {
    rule: "finished with a trigger queued: scheduled, and one more cycle right after",
    from: busy({ rerun: true }),
    on: finished("updated"),
    to: live({ cycles: 2, running: 2 }),
    effects: [record, arm(INTERVAL), run()],
  },
  {
    rule: "finished with a trigger queued: the extra cycle verifies when its turn",
    from: busy({ cycles: 2, rerun: true }),
    on: finished("unchanged"),
    to: live({ cycles: 3, running: 2 }),
    effects: [record, arm(INTERVAL), run(true)],
  },
  {
    rule: `finished with a trigger queued after ${MAX_BACK_TO_BACK} cycles in a row: no more`,
    from: busy({ cycles: 3, running: MAX_BACK_TO_BACK, rerun: true }),
    on: finished("updated"),
    to: live({ cycles: 3 }),
    effects: [record, arm(INTERVAL)],
  },
  {
    rule: "finished before start: recorded, no timer",
    from: { ...initialState("ready"), cycles: 1, running: 1 },
    on: finished("retry"),
    to: { ...initialState("ready"), cycles: 1, attempt: 1 },
    effects: [record],
  },
  {
    rule: "finished before start with a trigger queued: recorded, one more",
    from: { ...initialState("ready"), cycles: 1, running: 1, rerun: true },
    on: finished("updated"),
    to: { ...initialState("ready"), cycles: 2, running: 2 },
    effects: [record, run()],
  },
  {
    rule: "finished after stop: not recorded, nothing follows",
    from: { ...initialState("stopped"), cycles: 1, running: 1, rerun: true },
    on: finished("retry"),
    to: { ...initialState("stopped"), cycles: 1 },
    effects: [],
  },
  {
    rule: "finished after removal: recorded, no timer, no extra cycle",
    from: busy({ phase: "removed", rerun: true }),
    on: finished("updated"),
    to: live({ phase: "removed", cycles: 1 }),
    effects: [record],
  },
  {
    rule: "crashed: the run ends, the schedule stays as it was",
    from: busy({ running: 2, rerun: true, attempt: 1 }),
    on: { kind: "crashed" },
    to: live({ cycles: 1, attempt: 1 }),
    effects: [],
  },

  // reload
  {
    rule: "reload unchanged: keeps its schedule",
    from: live({ attempt: 3, cycles: 5 }),
    on: reload(false),
    to: live({ attempt: 3, cycles: 5 }),
    effects: [],
  },
  {
    rule: "reload changed (or new): runs at once, retries start over",
    from: live({ attempt: 3, cycles: 5 }),
    on: reload(true),
    to: live({ cycles: 5 }),
    effects: [arm(0)],
  },
  {
    rule: "reload changed: a stored backoff still holds",
    from: live(),
    on: reload(true, NOW + 90_000),
    to: live(),
    effects: [arm(90_000)],
  },
  {
    rule: "reload changed during a cycle: armed, the cycle's end reschedules",
    from: busy(),
    on: reload(true),
    to: busy(),
    effects: [arm(0)],
  },
  {
    rule: "reload changed before start: no timer yet",
    from: { ...initialState("ready"), attempt: 2 },
    on: reload(true),
    to: initialState("ready"),
    effects: [],
  },
  {
    rule: "reload changed after stop: no timer",
    from: { ...initialState("stopped"), attempt: 2 },
    on: reload(true),
    to: initialState("stopped"),
    effects: [],
  },
  {
    rule: "removed by reload: timer cancelled, a cycle in flight finishes",
    from: busy({ rerun: true }),
    on: { kind: "removed" },
    to: busy({ phase: "removed" }),
    effects: [disarm],
  },

  // stop
  {
    rule: "stop: timer cancelled",
    from: live(),
    on: { kind: "stop" },
    to: live({ phase: "stopped" }),
    effects: [disarm],
  },
  {
    rule: "stop during a cycle: nothing queued after it",
    from: busy({ rerun: true }),
    on: { kind: "stop" },
    to: busy({ phase: "stopped" }),
    effects: [disarm],
  },
  {
    rule: "stop of a removed record with a cycle in flight: its report will not be recorded",
    from: busy({ phase: "removed" }),
    on: { kind: "stop" },
    to: busy({ phase: "stopped" }),
    effects: [disarm],
  },
  {
    rule: "stop twice: nothing more",
    from: initialState("stopped"),
    on: { kind: "stop" },
    to: initialState("stopped"),
    effects: [],
  },
];

describe("record machine", () => {
  test.each(rows)("$rule", (row) => {
    expect(step(row.from, row.on, { ...OPTS, ...row.opts })).toEqual({ state: row.to, effects: row.effects });
  });

  test("a timer is never armed with a negative or fractional delay", () => {
    const wait = finished("backoff", {
      result: { status: "backoff", code: "rate_limited", detail: "x", retryAfterMs: 30_000.4 },
      at: NOW - 10 * 60_000,
    });
    expect(step(busy(), wait, OPTS).effects).toEqual([record, arm(0)]);
    const fractional = finished("backoff", {
      result: { status: "backoff", code: "rate_limited", detail: "x", retryAfterMs: 60_000.6 },
    });
    expect(step(busy(), fractional, OPTS).effects).toEqual([record, arm(60_001)]);
  });
});
