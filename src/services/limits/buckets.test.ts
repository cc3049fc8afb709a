import { describe, expect, it } from "vitest";
import type { Rate } from "../../core/rate.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import { bucketKey, createBuckets } from "./buckets.js";

const MIN = 60_000;
const DAY = 86_400_000;
const perDay = (n: number): Rate => ({ limit: n, periodMs: DAY });
const twoPerTwoMinutes: Rate = { limit: 2, periodMs: 2 * MIN };

function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function takeUntilLimited(b: ReturnType<typeof createBuckets>, name: string, rates: readonly Rate[]) {
  let n = 0;
  while (b.take(name, rates) === undefined && n < 10_000) n++;
  return n;
}

describe("buckets", () => {
  it("counts against every rate or none, and waits for the slowest", () => {
    const t = clock();
    const b = createBuckets({ clock: t.now });
    const rates = [twoPerTwoMinutes, { limit: 3, periodMs: 60 * MIN }];
    expect([b.take("h", rates), b.take("h", rates), b.take("h", rates)]).toEqual([undefined, undefined, MIN]);
    t.advance(MIN);
    expect(b.take("h", rates)).toBeUndefined(); // the third of the hour
    t.advance(MIN);
    expect(b.take("h", rates)).toBe(18 * MIN); // 2/2m has room again; 3/1h does not: nothing is counted
    expect(b.take("other", rates)).toBeUndefined();
    expect(b.take("h", [])).toBeUndefined();
  });

  it("keeps long windows across a restart, through the store; short ones start afresh", async () => {
    const t = clock();
    const store = createMemoryStore();
    const first = createBuckets({ clock: t.now, store });
    expect(takeUntilLimited(first, "tk", [perDay(300)])).toBe(300);
    expect(takeUntilLimited(first, "host", [twoPerTwoMinutes])).toBe(2);
    await first.flush();
    t.advance(1_000);
    const second = createBuckets({ clock: t.now, store });
    await second.load();
    expect(second.take("tk", [perDay(300)])).toBe(DAY / 300 - 1_000);
    expect(second.take("host", [twoPerTwoMinutes])).toBeUndefined();
  });

  it("adds up what two processes consumed; each learns the other's share when it saves", async () => {
    const t = clock();
    const store = createMemoryStore();
    const [a, b] = [createBuckets({ clock: t.now, store }), createBuckets({ clock: t.now, store })];
    const rates = [perDay(4)];
    expect([a.take("tk", rates), a.take("tk", rates)]).toEqual([undefined, undefined]);
    expect([b.take("tk", rates), b.take("tk", rates)]).toEqual([undefined, undefined]);
    await a.flush();
    await b.flush();
    // b saved after a: it knows the day's four are spent.
    expect(b.take("tk", rates)).toBe(DAY / 4);
    // a has not seen b's two yet (nodes agree within one flush): one more passes, then a knows.
    expect(a.take("tk", rates)).toBeUndefined();
    await a.flush();
    expect(a.take("tk", rates)).toBe(DAY / 4);
    expect(await store.loadLimitBuckets(t.now())).toEqual([
      { key: bucketKey("tk", perDay(4)), tat: t.now() + DAY + DAY / 4 },
    ]);
  });

  it("forgets a name here and, at the next flush, in the store", async () => {
    const t = clock();
    const store = createMemoryStore();
    const b = createBuckets({ clock: t.now, store });
    takeUntilLimited(b, "nochg:a", [perDay(2)]);
    await b.flush();
    b.forget("nochg:a", [perDay(2)]);
    expect(b.take("nochg:a", [perDay(2)])).toBeUndefined();
    await b.flush();
    expect((await store.loadLimitBuckets(t.now())).map((x) => x.tat)).toEqual([t.now() + DAY / 2]);
  });

  it("keeps at most maxEntries buckets, forgetting the least recently used first (never against a client)", () => {
    const t = clock();
    const b = createBuckets({ clock: t.now, maxEntries: 4 });
    for (const name of ["a", "b", "c", "d"]) takeUntilLimited(b, name, [twoPerTwoMinutes]);
    expect(b.take("a", [twoPerTwoMinutes])).toBeUndefined();
    expect(b.take("d", [twoPerTwoMinutes])).toBe(MIN);
  });

  it("keeps what a failed save held, and saves it at the next flush", async () => {
    const t = clock();
    const store = createMemoryStore();
    let failing = true;
    const flaky: Store = {
      ...store,
      saveLimitBuckets: (c, now) =>
        failing ? Promise.reject(new Error("disk full")) : store.saveLimitBuckets(c, now),
    };
    const b = createBuckets({ clock: t.now, store: flaky });
    b.take("tk", [perDay(10)]);
    await b.flush();
    expect(await store.loadLimitBuckets(t.now())).toEqual([]);
    failing = false;
    await b.flush();
    expect(await store.loadLimitBuckets(t.now())).toEqual([
      { key: bucketKey("tk", perDay(10)), tat: t.now() + DAY / 10 },
    ]);
  });

  describe("shared by several processes (every bucket persisted, read back)", () => {
    const rate = twoPerTwoMinutes;
    const shared = (t: ReturnType<typeof clock>, store: Store) =>
      createBuckets({ clock: t.now, store, persistFromMs: 0, shared: true });

    it("a process learns a bucket it only looked at from the next flush, and lags by one flush round", async () => {
      const t = clock();
      const store = createMemoryStore();
      const [a, b] = [shared(t, store), shared(t, store)];
      a.take("c", [rate]);
      a.take("c", [rate]);
      await a.flush();
      expect(b.wait("c", [rate])).toBeUndefined(); // no copy yet
      await b.flush();
      expect(b.wait("c", [rate])).toBe(MIN);
      // a refuses from its copy while b's consumption grows; a's next flush reads it back.
      t.advance(MIN);
      expect(b.take("c", [rate])).toBeUndefined();
      await b.flush();
      expect(a.take("c", [rate])).toBeUndefined(); // a's copy lags by b's request: the stated slack
      await a.flush();
      expect(a.take("c", [rate])).toBeGreaterThan(0);
      expect(b.take("c", [rate])).toBeGreaterThan(0);
    });

    it("writes nothing for a bucket it only reads back, so another's forget stays", async () => {
      const t = clock();
      const store = createMemoryStore();
      const [a, b] = [shared(t, store), shared(t, store)];
      a.take("p", [rate]);
      await a.flush();
      b.wait("p", [rate]);
      await b.flush();
      a.forget("p", [rate]);
      await a.flush();
      b.wait("p", [rate]);
      await b.flush();
      expect(await store.loadLimitBuckets(t.now())).toEqual([]);
    });

    it("keeps what to read back when a save fails, and reads it at the next flush", async () => {
      const t = clock();
      const store = createMemoryStore();
      let failing = false;
      const flaky: Store = {
        ...store,
        saveLimitBuckets: (c, now) =>
          failing ? Promise.reject(new Error("connection refused")) : store.saveLimitBuckets(c, now),
      };
      const [a, b] = [shared(t, store), shared(t, flaky)];
      a.take("r", [rate]);
      a.take("r", [rate]);
      await a.flush();
      b.wait("r", [rate]);
      failing = true;
      await b.flush();
      failing = false;
      await b.flush();
      expect(b.wait("r", [rate])).toBe(MIN);
    });
  });
});
