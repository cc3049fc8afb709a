import { describe, expect, it } from "vitest";
import type { HealthStatus } from "../../core/pools.js";
import { quorumStatus } from "./quorum.js";

const NOW = 1_000_000;
const MAX_AGE = 30_000;

/** Observations from a compact list: "U" up, "D" down, "?" unknown, all fresh. */
const fresh = (s: string) =>
  [...s].map((c) => ({
    status: ({ U: "up", D: "down", "?": "unknown" } as Record<string, HealthStatus>)[c]!,
    observedAt: NOW,
  }));

describe("quorumStatus", () => {
  it.each([
    ["", "unknown"],
    ["?", "unknown"],
    ["??", "unknown"],
    ["U", "up"],
    ["D", "down"],
    ["UD", "up"], // a tie fails open
    ["UDD", "down"],
    ["UUD", "up"],
    ["UUDD", "up"],
    ["UDDD", "down"],
    ["U??", "up"],
    ["D??", "down"],
    ["UD??D", "down"],
  ])("%j → %s", (obs, expected) => {
    expect(quorumStatus(fresh(obs), NOW, MAX_AGE)).toBe(expected);
  });

  it("ignores observations older than maxAgeMs, counting one exactly that old", () => {
    const stale = { status: "down" as const, observedAt: NOW - MAX_AGE - 1 };
    const edge = { status: "up" as const, observedAt: NOW - MAX_AGE };
    expect(quorumStatus([stale, stale, edge], NOW, MAX_AGE)).toBe("up");
    expect(quorumStatus([stale], NOW, MAX_AGE)).toBe("unknown");
  });

  it("does not let an observation with a bad time vote", () => {
    expect(quorumStatus([{ status: "down", observedAt: NaN }, ...fresh("U")], NOW, MAX_AGE)).toBe("up");
  });
});
