import { describe, expect, test } from "vitest";
import { afterExit, MAX_QUICK_FAILURES, QUICK_MS } from "./restart-policy.js";

describe("afterExit", () => {
  test.each([
    ["first quick failure waits 100 ms", 0, 50, { action: "restart", failures: 1, delayMs: 100 }],
    ["second quick failure doubles", 1, 50, { action: "restart", failures: 2, delayMs: 200 }],
    ["fifth quick failure", 4, 0, { action: "restart", failures: 5, delayMs: 1_600 }],
    ["the delay is capped at 10 s", 7, 50, { action: "restart", failures: 8, delayMs: 10_000 }],
    ["the last failure before giving up", 9, 50, { action: "restart", failures: 10, delayMs: 10_000 }],
    ["one quick failure too many gives the slot up", 10, 50, { action: "give-up", failures: 11 }],
    ["a long life starts the count again", 9, QUICK_MS, { action: "restart", failures: 1, delayMs: 100 }],
    [
      "just under the quick limit still counts",
      3,
      QUICK_MS - 1,
      { action: "restart", failures: 4, delayMs: 800 },
    ],
    ["a first exit after a long life", 0, 3_600_000, { action: "restart", failures: 1, delayMs: 100 }],
  ])("%s", (_name, failures, livedMs, expected) => {
    expect(afterExit(failures, livedMs)).toEqual(expected);
  });

  test("a worker that always fails at once is restarted MAX_QUICK_FAILURES times, then given up", () => {
    const delays: number[] = [];
    let failures = 0;
    for (;;) {
      const next = afterExit(failures, 10);
      failures = next.failures;
      if (next.action === "give-up") break;
      delays.push(next.delayMs);
    }
    expect(delays).toHaveLength(MAX_QUICK_FAILURES);
    expect(delays).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000, 10_000]);
  });
});
