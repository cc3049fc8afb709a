// Fake clock and timers for tests (core/clock.ts, core/timers.ts): time moves only when the test says
// so, and timers due in between fire in order, each followed by a flush of pending promise work.

import type { Clock } from "../clock.js";
import type { TimerHandle, Timers } from "../timers.js";

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export interface FakeTime {
  readonly clock: Clock;
  readonly timers: Timers;
  /** Delays passed to setTimeout, in call order (tests assert on scheduled delays, not on real time). */
  readonly delays: number[];
  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise work settle without moving time. */
  flush(): Promise<void>;
  /** Timers still waiting, as delays from now, ascending. */
  pending(): number[];
}

/** Enough macrotask turns for chains of resolved promises and sync I/O to settle. Bounded. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

export function createFakeTime(start = 1_700_000_000_000): FakeTime {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Pending>();
  const delays: number[] = [];
  return {
    clock: () => now,
    delays,
    timers: {
      setTimeout(fn, ms) {
        const id = nextId++;
        delays.push(ms);
        timers.set(id, { id, at: now + Math.max(0, ms), fn });
        const handle: TimerHandle = { id };
        return handle;
      },
      clearTimeout(h) {
        timers.delete((h as unknown as { id: number }).id);
      },
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      // Bounded: a timer that re-arms itself at 0 ms cannot spin forever.
      for (let i = 0; i < 100_000; i++) {
        const due = [...timers.values()]
          .filter((t) => t.at <= end)
          .sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (due === undefined) break;
        timers.delete(due.id);
        now = Math.max(now, due.at);
        due.fn();
        await settle();
      }
      now = end;
      await settle();
    },
    flush: settle,
    pending: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
  };
}
