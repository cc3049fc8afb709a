import { describe, expect, it } from "vitest";

import { bucketSharing, startFlushing } from "./bucket-sharing.js";

describe("bucketSharing", () => {
  it("keeps SQLite as before: long windows only, every 10 s, not read back", () => {
    expect(bucketSharing({ sqlitePath: "/data/beacon.db", postgres: undefined })).toEqual({
      persistFromMs: 3_600_000,
      shared: false,
      flushEveryMs: 10_000,
    });
  });

  it("shares every bucket on PostgreSQL, flushed every second", () => {
    const postgres = { url: "postgres://u:p@db/beacon", where: "db:5432/beacon" };
    expect(bucketSharing({ sqlitePath: "/data/beacon.db", postgres })).toEqual({
      persistFromMs: 0,
      shared: true,
      flushEveryMs: 1_000,
    });
  });
});

describe("startFlushing", () => {
  it("never runs two flushes at once (ticks during one are skipped), and stop() waits for it, then flushes once more", async () => {
    let tick: () => void = () => undefined;
    let stopped = false;
    const gates: (() => void)[] = [];
    const buckets = { flush: () => new Promise<void>((resolve) => gates.push(resolve)) };
    const flushing = startFlushing(buckets, 1_000, (ms, t) => {
      expect(ms).toBe(1_000);
      tick = t;
      return () => (stopped = true);
    });
    tick();
    tick();
    tick();
    expect(gates).toHaveLength(1);
    gates.shift()!();
    await Promise.resolve();
    await Promise.resolve();
    tick();
    expect(gates).toHaveLength(1);
    let done = false;
    const stopping = flushing.stop().then(() => (done = true));
    expect(stopped).toBe(true);
    gates.shift()!(); // the flush in flight ends; stop() then writes what is pending
    await new Promise((r) => setImmediate(r));
    expect([gates.length, done]).toEqual([1, false]);
    gates.shift()!();
    await stopping;
    expect(done).toBe(true);
  });
});
