import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { historyFixture, hostFixture, T0, zoneFixture } from "../store/testing/fixtures.js";
import type { Store } from "../store/ports.js";
import { createHistorySweeper, SWEEP_MAX_STEPS, SWEEP_STEP } from "./history-retention.js";

const DAY = 86_400_000;

async function storeWith(old: number, young: number): Promise<{ store: Store; calls: () => number }> {
  const base = createMemoryStore();
  await base.createZone(zoneFixture("example.com"));
  await base.createHost(hostFixture("a.example.com", "example.com"));
  const entry = (at: number, i: number) =>
    historyFixture("a.example.com", { at, newValues: [`192.0.2.${i % 250}`] });
  await base.commit({
    writes: [],
    history: [
      ...Array.from({ length: old }, (_, i) => entry(T0 + i, i)),
      ...Array.from({ length: young }, (_, i) => entry(T0 + 400 * DAY + i, i)),
    ],
    at: T0,
  });
  let n = 0;
  const store = { ...base, pruneHistory: (o: number, l: number) => (n++, base.pruneHistory(o, l)) };
  return { store, calls: () => n };
}

describe("history retention by age", () => {
  it("deletes entries older than max_age, keeps younger ones", async () => {
    const { store } = await storeWith(30, 5);
    const sweeper = createHistorySweeper({ store, clock: () => T0 + 401 * DAY, maxAgeMs: 365 * DAY });
    expect(await sweeper.sweep()).toBe(30);
    expect(await store.listHistory("a.example.com", { limit: 1000 })).toHaveLength(5);
    expect(await sweeper.sweep()).toBe(0);
  });

  it("bounds one sweep's work however much is due: at most SWEEP_MAX_STEPS calls of SWEEP_STEP entries", async () => {
    const due = SWEEP_STEP * SWEEP_MAX_STEPS + 123;
    const { store, calls } = await storeWith(due, 1);
    const sweeper = createHistorySweeper({ store, clock: () => T0 + 401 * DAY, maxAgeMs: 365 * DAY });
    expect(await sweeper.sweep()).toBe(SWEEP_STEP * SWEEP_MAX_STEPS);
    expect(calls()).toBe(SWEEP_MAX_STEPS);
    // The rest goes with the next sweep, which stops as soon as a call deletes less than a step.
    expect(await sweeper.sweep()).toBe(123);
    expect(calls()).toBe(SWEEP_MAX_STEPS + 1);
  });
});
