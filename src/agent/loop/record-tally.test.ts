import { describe, expect, test } from "vitest";
import type { CycleOutcome, CycleReport } from "./record-state.js";
import { emptyTally, recordStatus, tallied } from "./record-tally.js";
import { agentRecord, fakeTarget } from "../testing/fakes.js";

function report(outcome: CycleOutcome, at: number): CycleReport {
  return {
    ...{ fqdn: "home.example.com", type: "A", target: "home", outcome, detail: `it was ${outcome}`, at },
    ...{ detection: undefined, sources: undefined, desired: undefined, previous: undefined },
    ...{ live: undefined, result: undefined },
  };
}

const rec = agentRecord([], fakeTarget(), { fingerprint: "fp-1" });
const fatal = { code: "badauth", detail: "bad credentials", at: 1 };

describe("record tally", () => {
  test("tallied: last report, last healthy one, failures counted", () => {
    let t = tallied(emptyTally, report("updated", 10), false);
    t = tallied(t, report("retry", 20), true);
    t = tallied(t, report("waiting", 30), false);
    expect(t).toEqual({ last: report("waiting", 30), lastSuccessAt: 10, failuresTotal: 1 });
  });

  test.each([
    ["no memory", undefined, "pending", "not run yet", true],
    [
      "a fatal stop for this configuration",
      { fatal: { ...fatal, fingerprint: "fp-1" } },
      "stopped",
      "stopped after badauth",
      false,
    ],
    [
      "a fatal stop for an older configuration",
      { fatal: { ...fatal, fingerprint: "fp-0" } },
      "pending",
      "not run yet",
      true,
    ],
  ] as const)("before its first cycle, with %s: %s", (_what, memory, outcome, detail, healthy) => {
    expect(recordStatus(rec, memory, emptyTally, undefined)).toMatchObject({ outcome, detail, healthy });
  });

  test("after cycles: the last report, the memory's published values, the next run", () => {
    const t = tallied(tallied(emptyTally, report("updated", 10), false), report("retry", 20), true);
    const memory = { published: { values: ["81.2.69.160"], at: 10 }, failingSince: 20 };
    expect(recordStatus(rec, memory, t, 50)).toEqual({
      fqdn: "home.example.com",
      type: "A",
      target: "home",
      outcome: "retry",
      healthy: false,
      detail: "it was retry",
      published: ["81.2.69.160"],
      publishedAt: 10,
      lastRunAt: 20,
      lastSuccessAt: 10,
      failuresTotal: 1,
      detection: undefined,
      sources: undefined,
      nextRunAt: 50,
    });
  });
});
