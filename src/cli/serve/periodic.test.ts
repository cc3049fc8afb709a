import { describe, expect, test } from "vitest";
import type { Log } from "../../core/log.js";
import {
  EXTERNAL_POLL_MS,
  everyUnlessBusy,
  HISTORY_SWEEP_MS,
  oneAtATime,
  PRUNE_EVERY_POLLS,
  sweepHistoryPeriodically,
  watchExternalChanges,
  type Every,
} from "./periodic.js";

/** An Every the test ticks by hand. */
function manual() {
  const state = { ms: 0, tick: (): void => undefined, stopped: false };
  const every: Every = (ms, tick) => {
    Object.assign(state, { ms, tick });
    return () => (state.stopped = true);
  };
  return { every, state };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

function recordingLog() {
  const lines: [string, object, string | undefined][] = [];
  const log: Log = {
    debug: (o, m) => lines.push(["debug", o, m]),
    info: (o, m) => lines.push(["info", o, m]),
    warn: (o, m) => lines.push(["warn", o, m]),
    error: (o, m) => lines.push(["error", o, m]),
  };
  return { log, lines };
}

describe("everyUnlessBusy", () => {
  test("skips a tick while the task runs, runs again once it ended, and reports failures", async () => {
    const { every, state } = manual();
    let runs = 0;
    let finish: (ok: boolean) => void = () => undefined;
    const failures: unknown[] = [];
    const stop = everyUnlessBusy(
      every,
      250,
      () => {
        runs++;
        return new Promise<void>((resolve, reject) => {
          finish = (ok) => (ok ? resolve() : reject(new Error("boom")));
        });
      },
      (e) => failures.push(e),
    );
    expect(state.ms).toBe(250);
    state.tick();
    state.tick();
    expect(runs).toBe(1);
    finish(false);
    await turn();
    expect(failures).toEqual([new Error("boom")]);
    state.tick();
    expect(runs).toBe(2);
    finish(true);
    await turn();
    state.tick();
    expect(runs).toBe(3);
    stop();
    expect(state.stopped).toBe(true);
  });
});

describe("oneAtATime", () => {
  test("skips a task while one runs; with again, runs the latest such task once afterwards", async () => {
    const ran: string[] = [];
    const gates: (() => void)[] = [];
    const task = (name: string) => () => {
      ran.push(name);
      return new Promise<void>((resolve) => gates.push(resolve));
    };
    const run = oneAtATime(() => undefined);
    run(task("first"));
    run(task("skipped"));
    run(task("older again"), true);
    run(task("again"), true);
    expect(ran).toEqual(["first"]);
    gates.shift()!();
    await turn();
    expect(ran).toEqual(["first", "again"]);
    gates.shift()!();
    await turn();
    run(task("later"));
    expect(ran).toEqual(["first", "again", "later"]);
  });
});

describe("sweepHistoryPeriodically", () => {
  test.each([
    [0, []],
    [3, [["info", { deleted: 3 }, "history entries past history.max_age deleted"]]],
  ])("a sweep deleting %i entries logs %j", async (deleted, expected) => {
    const { every, state } = manual();
    const { log, lines } = recordingLog();
    sweepHistoryPeriodically({ sweep: () => Promise.resolve(deleted) }, log, every);
    expect(state.ms).toBe(HISTORY_SWEEP_MS);
    state.tick();
    await turn();
    expect(lines).toEqual(expected);
  });

  test("a failed sweep is a warning", async () => {
    const { every, state } = manual();
    const { log, lines } = recordingLog();
    const err = new Error("disk I/O error");
    sweepHistoryPeriodically({ sweep: () => Promise.reject(err) }, log, every);
    state.tick();
    await turn();
    expect(lines).toEqual([["warn", { err }, "could not prune the update history"]]);
  });
});

describe("watchExternalChanges", () => {
  test("tells onChange of each poll that applied something and, reconciling, every PRUNE_EVERY_POLLS polls, when it also prunes", async () => {
    const { every, state } = manual();
    const { log } = recordingLog();
    const steps = ["none", "delta", "reload", ...Array<"none">(PRUNE_EVERY_POLLS).fill("none")] as const;
    let polls = 0;
    let prunes = 0;
    let changes = 0;
    watchExternalChanges(
      {
        step: () => Promise.resolve(steps[polls++] ?? "none"),
        prune: () => Promise.resolve(++prunes),
      },
      log,
      every,
      () => changes++,
    );
    expect(state.ms).toBe(EXTERNAL_POLL_MS);
    for (let i = 0; i < PRUNE_EVERY_POLLS * 2; i++) {
      state.tick();
      await turn();
    }
    expect(polls).toBe(PRUNE_EVERY_POLLS * 2);
    expect(changes).toBe(2 + 2); // the delta, the reload; the reconciles of polls 10 and 20
    expect(prunes).toBe(2);
  });

  test("failing polls (the store is away): one warning, debug lines after it, one info line when it answers again; polls go on", async () => {
    const { every, state } = manual();
    const { log, lines } = recordingLog();
    const err = new Error("connect ECONNREFUSED 127.0.0.1:5432");
    let polls = 0;
    watchExternalChanges(
      {
        step: () => (polls++ < 3 ? Promise.reject(err) : Promise.resolve("none")),
        prune: () => Promise.resolve(0),
      },
      log,
      every,
      () => undefined,
    );
    for (let i = 0; i < 5; i++) {
      state.tick();
      await turn();
    }
    expect(polls).toBe(5);
    expect(lines).toEqual([
      ["warn", { err }, "could not check the store for outside changes"],
      ["debug", { err, failures: 2 }, "could not check the store for outside changes"],
      ["debug", { err, failures: 3 }, "could not check the store for outside changes"],
      ["info", { failures: 3 }, "the store answers again; outside changes are applied"],
    ]);
  });

  test("a wake-up steps at once; one during a step runs one more step after it; stop stops listening", async () => {
    const { every, state } = manual();
    const { log } = recordingLog();
    let wake: (settings: boolean) => void = () => undefined;
    let listening = false;
    const gates: (() => void)[] = [];
    let steps = 0;
    let changes = 0;
    let prunes = 0;
    const stop = watchExternalChanges(
      {
        step: () => {
          steps++;
          return new Promise((resolve) => gates.push(() => resolve("delta")));
        },
        prune: () => Promise.resolve(++prunes),
      },
      log,
      every,
      () => changes++,
      {
        onExternalChange: (w) => {
          wake = w;
          listening = true;
          return () => (listening = false);
        },
      },
    );
    expect(listening).toBe(true);
    wake(false);
    expect(steps).toBe(1);
    wake(false);
    state.tick(); // the poll is skipped while a step runs
    expect(steps).toBe(1);
    gates.shift()!();
    await turn();
    expect(steps).toBe(2);
    gates.shift()!();
    await turn();
    expect([steps, changes, prunes]).toEqual([2, 2, 0]);
    stop();
    expect([listening, state.stopped]).toEqual([false, true]);
  });

  test("a settings wake-up tells onChange though no zone data changed, also when a data wake-up's step runs it or a step fails", async () => {
    const { every } = manual();
    const { log } = recordingLog();
    let wake: (settings: boolean) => void = () => undefined;
    const gates: ((outcome: "none" | Error) => void)[] = [];
    let changes = 0;
    watchExternalChanges(
      {
        step: () =>
          new Promise((resolve, reject) => gates.push((o) => (o instanceof Error ? reject(o) : resolve(o)))),
        prune: () => Promise.resolve(0),
      },
      log,
      every,
      () => changes++,
      {
        onExternalChange: (w) => {
          wake = w;
          return () => undefined;
        },
      },
    );
    wake(false); // zone data only, nothing new: no onChange
    gates.shift()!("none");
    await turn();
    expect(changes).toBe(0);
    wake(true);
    gates.shift()!("none");
    await turn();
    expect(changes).toBe(1);
    // A settings wake-up during a step, then a data wake-up replacing it in the queue: still told.
    wake(false);
    wake(true);
    wake(false);
    gates.shift()!("none");
    await turn();
    gates.shift()!("none");
    await turn();
    expect([changes, gates.length]).toEqual([2, 0]);
    // A step that fails keeps the settings wake-up for the next step.
    wake(true);
    gates.shift()!(new Error("connect ECONNREFUSED"));
    await turn();
    expect(changes).toBe(2);
    wake(false);
    gates.shift()!("none");
    await turn();
    expect(changes).toBe(3);
  });
});
