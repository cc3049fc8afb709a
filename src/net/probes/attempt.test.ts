import { describe, expect, it } from "vitest";
import type { TimerHandle, Timers } from "../../core/timers.js";
import { attempt, type ProbeContext } from "./attempt.js";

/** Timers fired by hand: `fire()` runs the pending one. */
function manualTimers(): Timers & { fire(): void; pending(): number } {
  const pending = new Map<TimerHandle, () => void>();
  return {
    setTimeout: (fn) => {
      const h = {};
      pending.set(h, fn);
      return h;
    },
    clearTimeout: (h) => void pending.delete(h),
    fire: () => [...pending.values()].forEach((fn) => fn()),
    pending: () => pending.size,
  };
}

function ctx(timers: Timers, signal?: AbortSignal): ProbeContext {
  return { timeoutMs: 1_000, timers, signal, now: () => 0 };
}

describe("attempt", () => {
  it("times out, runs the cleanup once and ignores a late result", async () => {
    const timers = manualTimers();
    let cleanups = 0;
    let late: ((r: { ok: boolean }) => void) | undefined;
    const p = attempt(ctx(timers), (done) => {
      late = done;
      return () => cleanups++;
    });
    timers.fire();
    late?.({ ok: true });
    expect(await p).toEqual({ ok: false, reason: "timeout" });
    expect(cleanups).toBe(1);
    expect(timers.pending()).toBe(0);
  });

  it("ends on abort, and resolves at once when the signal is already aborted", async () => {
    const timers = manualTimers();
    const ac = new AbortController();
    let cleanups = 0;
    const p = attempt(ctx(timers, ac.signal), () => () => cleanups++);
    ac.abort();
    expect(await p).toEqual({ ok: false, reason: "aborted" });
    expect([cleanups, timers.pending()]).toEqual([1, 0]);
    let started = false;
    const again = await attempt(ctx(timers, ac.signal), () => {
      started = true;
      return undefined;
    });
    expect([again.reason, started]).toEqual(["aborted", false]);
  });

  it("turns a throwing start into a failure and settles a result given before the cleanup exists", async () => {
    const timers = manualTimers();
    const thrown = await attempt(ctx(timers), () => {
      throw Object.assign(new Error("x"), { code: "ECONNREFUSED" });
    });
    expect(thrown).toEqual({ ok: false, reason: "refused" });
    let cleanups = 0;
    const early = await attempt(ctx(timers), (done) => {
      done({ ok: true, rttMs: 1 });
      return () => cleanups++;
    });
    expect([early, cleanups, timers.pending()]).toEqual([{ ok: true, rttMs: 1 }, 1, 0]);
  });

  it("survives a cleanup that throws", async () => {
    const result = await attempt(ctx(manualTimers()), (done) => {
      queueMicrotask(() => done({ ok: true }));
      return () => {
        throw new Error("already closed");
      };
    });
    expect(result).toEqual({ ok: true });
  });
});
