// What the PostgreSQL tests that stop connections share: timers fired only by the test (a listener's
// reconnect waits for the test, not for real time), and polling for a condition with a deadline.

import type { TimerHandle, Timers } from "../../../core/timers.js";

/** Timers whose callbacks run only when the test fires them; `count` is the number waiting. */
export function manualTimers(): Timers & { fireAll(): void; readonly count: number } {
  const pending = new Map<TimerHandle, () => void>();
  return {
    setTimeout(fn) {
      const h = {};
      pending.set(h, fn);
      return h;
    },
    clearTimeout(h) {
      pending.delete(h);
    },
    fireAll() {
      const fns = [...pending.values()];
      pending.clear();
      for (const fn of fns) fn();
    },
    get count() {
      return pending.size;
    },
  };
}

/** Resolves once `cond` holds; throws naming `what` after 10 s. */
export async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
