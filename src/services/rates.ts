// Update and query rates for the admin console: a fixed-size window of per-interval counts taken from
// two ever-growing counters. The caller owns the timer and calls sample() every interval; this file
// only does the arithmetic, so tests drive it with a fake clock and fake counters.
//
// Contract:
// - the first sample() sets the baseline and adds no point; each later one adds one point per series
//   holding how much the counter grew since the previous sample, stamped with the sample's time;
// - a counter that went backwards (process restart, reset) or read as a non-finite or negative number
//   counts 0 for that interval and becomes the new baseline: a count is never negative;
// - a read that throws is skipped (no point, baseline kept), so one bad read never breaks the series;
// - at most `keep` points per series, oldest first.

import type { Clock } from "../core/clock.js";

export interface RateCounters {
  readonly updates: number;
  readonly queries: number;
}

export interface RatePoint {
  /** End of the interval, ms since the epoch. */
  readonly at: number;
  readonly count: number;
}

export interface RateSeries {
  readonly intervalMs: number;
  /** Oldest first. */
  readonly updates: readonly RatePoint[];
  readonly queries: readonly RatePoint[];
  /** The counters at the last successful read (0 before any). */
  readonly totals: RateCounters;
}

export interface RateSampler {
  sample(): void;
  series(): RateSeries;
}

export interface RateSamplerOptions {
  readonly read: () => RateCounters;
  readonly clock: Clock;
  /** Default 10 s. Only reported back: the caller's timer decides when sample() runs. */
  readonly intervalMs?: number;
  /** Points kept per series; default 360 (an hour of 10 s intervals). */
  readonly keep?: number;
}

export const DEFAULT_RATE_INTERVAL_MS = 10_000;
export const DEFAULT_RATE_KEEP = 360;

export function createRateSampler(opts: RateSamplerOptions): RateSampler {
  const intervalMs = opts.intervalMs ?? DEFAULT_RATE_INTERVAL_MS;
  const keep = Math.max(1, Math.floor(opts.keep ?? DEFAULT_RATE_KEEP));
  const updates: RatePoint[] = [];
  const queries: RatePoint[] = [];
  let last: RateCounters | undefined;

  const sane = (n: number): number => (Number.isFinite(n) && n >= 0 ? n : 0);
  const delta = (now: number, before: number): number => (now >= before ? now - before : 0);
  const push = (list: RatePoint[], point: RatePoint): void => {
    list.push(point);
    if (list.length > keep) list.splice(0, list.length - keep);
  };

  return {
    sample() {
      let raw: RateCounters;
      try {
        raw = opts.read();
      } catch {
        return;
      }
      const now: RateCounters = { updates: sane(raw.updates), queries: sane(raw.queries) };
      if (last !== undefined) {
        const at = opts.clock();
        push(updates, { at, count: delta(now.updates, last.updates) });
        push(queries, { at, count: delta(now.queries, last.queries) });
      }
      last = now;
    },
    series: () => ({
      intervalMs,
      updates: [...updates],
      queries: [...queries],
      totals: last ?? { updates: 0, queries: 0 },
    }),
  };
}
