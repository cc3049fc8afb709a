import { describe, expect, it } from "vitest";
import { createRateSampler, type RateCounters } from "./rates.js";

function harness(keep?: number) {
  let now = 1_000;
  let counters: RateCounters | (() => never) = { updates: 0, queries: 0 };
  const sampler = createRateSampler({
    read: () => (typeof counters === "function" ? counters() : counters),
    clock: () => now,
    intervalMs: 10_000,
    ...(keep === undefined ? {} : { keep }),
  });
  return {
    sampler,
    step(next: RateCounters | (() => never)) {
      now += 10_000;
      counters = next;
      sampler.sample();
    },
  };
}

describe("createRateSampler", () => {
  it("has no points before two samples, then per-interval growth, oldest first", () => {
    const h = harness();
    expect(h.sampler.series()).toEqual({
      intervalMs: 10_000,
      updates: [],
      queries: [],
      totals: { updates: 0, queries: 0 },
    });
    h.step({ updates: 5, queries: 100 });
    expect(h.sampler.series().updates).toEqual([]);
    h.step({ updates: 7, queries: 130 });
    h.step({ updates: 7, queries: 200 });
    expect(h.sampler.series()).toEqual({
      intervalMs: 10_000,
      updates: [
        { at: 21_000, count: 2 },
        { at: 31_000, count: 0 },
      ],
      queries: [
        { at: 21_000, count: 30 },
        { at: 31_000, count: 70 },
      ],
      totals: { updates: 7, queries: 200 },
    });
  });

  it("counts a counter that went backwards (restart) as 0 and continues from the new value", () => {
    const h = harness();
    h.step({ updates: 50, queries: 500 });
    h.step({ updates: 3, queries: 10 });
    h.step({ updates: 4, queries: 15 });
    const s = h.sampler.series();
    expect(s.updates.map((p) => p.count)).toEqual([0, 1]);
    expect(s.queries.map((p) => p.count)).toEqual([0, 5]);
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a negative number", -5],
  ])("treats %s as 0, never a negative count", (_name, bad) => {
    const h = harness();
    h.step({ updates: 10, queries: 10 });
    h.step({ updates: bad, queries: 12 });
    h.step({ updates: 4, queries: 12 });
    const counts = h.sampler.series().updates.map((p) => p.count);
    expect(counts).toEqual([0, 4]);
    expect(counts.every((c) => c >= 0 && Number.isFinite(c))).toBe(true);
  });

  it("skips a read that throws and keeps the baseline", () => {
    const h = harness();
    h.step({ updates: 1, queries: 1 });
    h.step(() => {
      throw new Error("counter unavailable");
    });
    h.step({ updates: 4, queries: 1 });
    expect(h.sampler.series().updates).toEqual([{ at: 31_000, count: 3 }]);
  });

  it("keeps at most `keep` points, dropping the oldest", () => {
    const h = harness(3);
    for (let i = 0; i <= 5; i++) h.step({ updates: i * 2, queries: i });
    const s = h.sampler.series();
    expect(s.updates.map((p) => p.at)).toEqual([41_000, 51_000, 61_000]);
    expect(s.queries).toHaveLength(3);
  });

  it("returns copies the caller cannot use to change the series", () => {
    const h = harness();
    h.step({ updates: 1, queries: 1 });
    h.step({ updates: 2, queries: 2 });
    (h.sampler.series().updates as { at: number; count: number }[]).length = 0;
    expect(h.sampler.series().updates).toHaveLength(1);
  });
});
