import { describe, expect, it } from "vitest";
import type { AdminOverride, HealthStatus } from "../../core/pools.js";
import { answerTtl } from "./ttl.js";

const CHECK = { intervalMs: 10_000, rise: 2, fall: 3 };
const POOL = { ttlMin: 5, ttlMax: 60 };

const m = (status: HealthStatus, streak = 0, override: AdminOverride = "none") => ({
  status,
  streak,
  override,
});

describe("answerTtl", () => {
  it.each([
    ["no members", [], 60],
    ["one up member, no failures: fall × interval", [m("up")], 30],
    ["one up member with 2 failures: 1 interval", [m("up", 2)], 10],
    ["one down member: rise × interval", [m("down")], 20],
    ["one down member with 1 success", [m("down", 1)], 10],
    ["the soonest member wins", [m("up"), m("down", 1), m("up", 1)], 10],
    ["unknown → ttlMin", [m("up"), m("unknown")], 5],
    ["an overridden unknown member is ignored", [m("up"), m("unknown", 0, "maintenance")], 30],
    ["only overridden members → ttlMax", [m("down", 1, "forced_up"), m("up", 2, "forced_down")], 60],
    ["a streak past the threshold (stale data) → ttlMin", [m("up", 7)], 5],
  ])("%s", (_, members, expected) => {
    expect(answerTtl(members, CHECK, POOL)).toBe(expected);
  });

  it("clamps to ttlMax and ttlMin", () => {
    expect(answerTtl([m("up")], { intervalMs: 60_000, rise: 5, fall: 5 }, POOL)).toBe(60);
    expect(answerTtl([m("up", 2)], { intervalMs: 1_000, rise: 2, fall: 3 }, POOL)).toBe(5);
  });

  it("rounds down to whole seconds", () => {
    expect(answerTtl([m("up")], { intervalMs: 2_500, rise: 2, fall: 3 }, { ttlMin: 1, ttlMax: 60 })).toBe(7);
  });
});
