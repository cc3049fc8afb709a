import { describe, expect, test } from "vitest";
import { silentLog, type Log } from "../../core/log.js";
import type { AgentEvent } from "../notify/types.js";
import type { CycleOutcome, CycleReport } from "./record-state.js";
import { emptyTally } from "./record-tally.js";
import { createRecorder, logReport, type Tallied } from "./recorder.js";
import { createMemoryState } from "../state-file.js";
import { agentRecord, fakeTarget } from "../testing/fakes.js";

const IP = "81.2.69.160";

function report(outcome: CycleOutcome, at: number, o: Partial<CycleReport> = {}): CycleReport {
  return {
    ...{ fqdn: "home.example.com", type: "A", target: "home", outcome, detail: `it was ${outcome}`, at },
    ...{ detection: undefined, sources: undefined, desired: [IP], previous: undefined, live: undefined },
    result: undefined,
    ...o,
  };
}

function harness(log: Log = silentLog, onReport?: (r: CycleReport) => void) {
  const state = createMemoryState();
  const events: AgentEvent[] = [];
  const recorder = createRecorder({ state, log, notify: (e) => events.push(e), onReport });
  const slot: Tallied = { record: agentRecord([], fakeTarget()), tally: emptyTally };
  return { state, events, recorder, slot };
}

describe("recorder", () => {
  test("memory saved only when a report changes it; events as the transition says; tally advanced", () => {
    const { state, events, recorder, slot } = harness();
    recorder.record(slot, report("updated", 10));
    expect(state.saved).toBe(1);
    expect(recorder.memory(slot.record.key)).toEqual({ published: { values: [IP], at: 10 } });
    recorder.record(slot, report("unchanged", 20, { previous: [IP] }));
    expect(state.saved).toBe(1);
    recorder.record(slot, report("retry", 30, { previous: [IP] }));
    expect(state.saved).toBe(2);
    expect(state.load().get(slot.record.key)?.failingSince).toBe(30);
    expect(events.map((e) => e.kind)).toEqual(["change", "failure"]);
    expect(slot.tally).toMatchObject({ lastSuccessAt: 20, failuresTotal: 1 });
    expect(slot.tally.last?.outcome).toBe("retry");
  });

  test("the memory starts from the state store", () => {
    const state = createMemoryState(new Map([["k", { notBefore: 99 }]]));
    const recorder = createRecorder({ state, log: silentLog, notify: () => {} });
    expect(recorder.memory("k")).toEqual({ notBefore: 99 });
    expect(recorder.memory("other")).toBeUndefined();
  });

  test("the hook sees the advanced tally; a throwing hook is logged, not thrown", () => {
    const errors: string[] = [];
    const log: Log = { ...silentLog, error: (_o, msg) => void errors.push(msg ?? "") };
    let tallyInHook: number | undefined;
    const { recorder, slot } = harness(log, () => {
      tallyInHook = slot.tally.last?.at;
      throw new Error("hook bug");
    });
    expect(() => recorder.record(slot, report("updated", 5))).not.toThrow();
    expect(tallyInHook).toBe(5);
    expect(errors).toEqual(["onReport hook threw"]);
  });

  test.each([
    ["updated", "info"],
    ["noop", "info"],
    ["unchanged", "debug"],
    ["verified", "debug"],
    ["would_publish", "debug"],
    ["fatal", "error"],
    ["retry", "warn"],
    ["backoff", "warn"],
    ["disagreed", "warn"],
    ["insufficient", "warn"],
    ["stopped", "warn"],
    ["waiting", "warn"],
    ["error", "warn"],
  ] as const)("a %s report is logged at %s", (outcome, level) => {
    const lines: [string, object, string | undefined][] = [];
    const at = (l: string) => (obj: object, msg?: string) => void lines.push([l, obj, msg]);
    logReport(
      { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
      report(outcome, 1),
    );
    expect(lines).toEqual([
      [level, { fqdn: "home.example.com", type: "A", target: "home", outcome }, `it was ${outcome}`],
    ]);
  });
});
