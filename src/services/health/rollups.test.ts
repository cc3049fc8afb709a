import { describe, expect, test } from "vitest";
import { createRollups, MINUTE_MS } from "./rollups.js";

const T0 = 1_700_000_040_000; // a minute boundary
describe("probe roll-ups", () => {
  test("one row per member and minute: counts, RTT sum, min and max of successes only", () => {
    const r = createRollups("n1");
    r.add("p", "a", { ok: true, rttMs: 10, at: T0 + 1 });
    r.add("p", "a", { ok: true, rttMs: 4, at: T0 + 2 });
    r.add("p", "a", { ok: false, reason: "timeout", at: T0 + 3 });
    r.add("p", "b", { ok: false, reason: "refused", at: T0 + 4 });
    r.add("p", "a", { ok: true, rttMs: 7, at: T0 + MINUTE_MS });
    expect(r.take(T0 + MINUTE_MS)).toEqual([
      {
        pool: "p",
        member: "a",
        node: "n1",
        minute: T0,
        ok: 2,
        fail: 1,
        rttSumMs: 14,
        rttMinMs: 4,
        rttMaxMs: 10,
      },
      { pool: "p", member: "b", node: "n1", minute: T0, ok: 0, fail: 1, rttSumMs: 0 },
    ]);
    // the running minute stays until it ends (or everything is taken)
    expect(r.take(T0 + MINUTE_MS)).toEqual([]);
    expect(r.take(Infinity)).toHaveLength(1);
  });

  test("rows put back after a failed write merge with what came meanwhile (nothing lost or doubled)", () => {
    const r = createRollups("n1");
    r.add("p", "a", { ok: true, rttMs: 10, at: T0 });
    const taken = r.take(Infinity);
    r.add("p", "a", { ok: true, rttMs: 2, at: T0 + 5 });
    r.add("p", "a", { ok: false, at: T0 + 6 });
    r.putBack(taken);
    expect(r.take(Infinity)).toEqual([
      {
        pool: "p",
        member: "a",
        node: "n1",
        minute: T0,
        ok: 2,
        fail: 1,
        rttSumMs: 12,
        rttMinMs: 2,
        rttMaxMs: 10,
      },
    ]);
  });

  test("a success without RTT (heartbeat) counts but leaves min and max out", () => {
    const r = createRollups("n1");
    r.add("p", "a", { ok: true, at: T0 });
    expect(r.take(Infinity)).toEqual([
      { pool: "p", member: "a", node: "n1", minute: T0, ok: 1, fail: 0, rttSumMs: 0 },
    ]);
  });
});
