import { describe, expect, test } from "vitest";
import type { Log } from "../../core/log.js";
import type { AgentRecord } from "./agent-record.js";
import type { CycleOutcome, CycleReport } from "./record-state.js";
import { createScheduler } from "./scheduler.js";
import type { RecordMemory } from "../state-file.js";
import { createFakeTime } from "../../core/testing/fake-time.js";
import { agentRecord, fakeTarget } from "../testing/fakes.js";

const INTERVAL = 300_000;

function report(record: AgentRecord, outcome: CycleOutcome, at: number): CycleReport {
  const c = record.config;
  return {
    ...{ fqdn: c.fqdn, type: c.type, target: c.target, outcome, detail: outcome, at },
    ...{ detection: undefined, sources: undefined, desired: undefined, previous: undefined },
    ...{ live: undefined, result: undefined },
  };
}

function capturingLog() {
  const lines: { level: string; msg: string | undefined; obj: object }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, msg, obj });
    };
  const log: Log = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { log, lines };
}

function record(fqdn = "home.example.com", watch: AgentRecord["watch"] = "none", fingerprint = "fp-1") {
  return agentRecord([], fakeTarget(fqdn), { fqdn, fingerprint }, watch);
}

interface Knobs {
  /** What cycles answer. */
  outcome: CycleOutcome;
  /** While set, cycles wait for release(). */
  gate: boolean;
  /** While set, cycles throw. */
  fail: boolean;
}

/** A scheduler whose cycles answer as the knobs say, on fake time. */
function harness(records: readonly AgentRecord[], memory = new Map<string, RecordMemory>()) {
  const time = createFakeTime();
  const { log, lines } = capturingLog();
  const knobs: Knobs = { outcome: "updated", gate: false, fail: false };
  const ran: { fqdn: string; verify: boolean }[] = [];
  const recorded: { fqdn: string; outcome: CycleOutcome }[] = [];
  const waiting: (() => void)[] = [];
  const scheduler = createScheduler(records, {
    timers: time.timers,
    clock: time.clock,
    log,
    random: () => 0.5,
    intervalMs: INTERVAL,
    verifyEvery: 2,
    memory: (key) => memory.get(key),
    cycle: async (r, verify) => {
      ran.push({ fqdn: r.config.fqdn, verify });
      if (knobs.gate) await new Promise<void>((resolve) => waiting.push(resolve));
      if (knobs.fail) throw new Error("boom");
      return report(r, knobs.outcome, time.clock());
    },
    record: (slot, r) => recorded.push({ fqdn: slot.record.config.fqdn, outcome: r.outcome }),
  });
  /** Lets every waiting cycle end. */
  const release = () => waiting.splice(0).forEach((f) => f());
  const nextIn = () => scheduler.slots().map((s) => (s.nextRunAt ?? Number.NaN) - time.clock());
  return Object.assign(knobs, { time, lines, ran, recorded, scheduler, release, nextIn });
}

describe("scheduler", () => {
  test("start runs every record at once, then on the interval the machine asks for", async () => {
    const h = harness([record("a.example.com"), record("b.example.com")]);
    h.scheduler.start();
    await h.time.advance(0);
    expect(h.ran.map((r) => r.fqdn)).toEqual(["a.example.com", "b.example.com"]);
    expect(h.nextIn()).toEqual([INTERVAL, INTERVAL]);
    await h.time.advance(INTERVAL);
    expect(h.ran.map((r) => r.verify)).toEqual([false, false, true, true]); // verifyEvery 2
    expect(h.recorded).toHaveLength(4);
  });

  test("a record never runs two cycles at once; triggers during one run one more after it", async () => {
    const h = harness([record()]);
    h.gate = true;
    h.scheduler.runNow();
    h.scheduler.runNow();
    h.scheduler.runNow();
    await h.time.flush();
    expect(h.ran).toHaveLength(1);
    h.release();
    await h.time.flush();
    expect(h.ran).toHaveLength(2);
    h.release();
    await h.scheduler.idle();
    expect(h.ran).toHaveLength(2);
    expect(h.recorded).toHaveLength(2);
  });

  test("a record held by a fatal reply logs why at start and gets no timer", async () => {
    const r = record();
    const memory = new Map([
      [r.key, { fatal: { code: "badauth", detail: "x", fingerprint: "fp-1", at: 1 } }],
    ]);
    const h = harness([r], memory);
    h.scheduler.start();
    await h.time.advance(10 * INTERVAL);
    expect(h.ran).toEqual([]);
    expect(h.time.pending()).toEqual([]);
    expect(h.lines.filter((l) => l.level === "error")).toEqual([
      {
        level: "error",
        msg: "record stays stopped after a fatal reply until its configuration changes",
        obj: { fqdn: "home.example.com", type: "A", code: "badauth" },
      },
    ]);
  });

  test("an interface change wakes the records watching it, not held ones", async () => {
    const held = record("held.example.com", new Set(["eth0"]), "fp-old");
    const memory = new Map([[held.key, { fatal: { code: "x", detail: "x", fingerprint: "fp-old", at: 1 } }]]);
    const h = harness(
      [record("eth0.example.com", new Set(["eth0"])), record("eth1.example.com", new Set(["eth1"])), held],
      memory,
    );
    h.scheduler.interfacesChanged(new Set(["eth0"]));
    await h.time.flush();
    expect(h.ran.map((r) => r.fqdn)).toEqual(["eth0.example.com"]);
    expect(h.lines.filter((l) => l.msg === "interface change").map((l) => l.obj)).toEqual([
      { fqdn: "eth0.example.com", interfaces: ["eth0"] },
    ]);
  });

  test("reload: a changed record runs at once, an unchanged one keeps its timer, a dropped one stops", async () => {
    const h = harness([record("a.example.com"), record("b.example.com"), record("c.example.com")]);
    h.scheduler.start();
    await h.time.advance(60_000);
    h.scheduler.reload([record("a.example.com"), record("b.example.com", "none", "fp-2")]);
    expect(h.scheduler.slots().map((s) => s.record.config.fqdn)).toEqual(["a.example.com", "b.example.com"]);
    expect(h.nextIn()).toEqual([INTERVAL - 60_000, 0]);
    expect(h.time.pending()).toEqual([0, INTERVAL - 60_000]);
  });

  test("a record dropped during its cycle: its report is recorded, nothing follows, idle waits for it", async () => {
    const h = harness([record()]);
    h.scheduler.start();
    h.gate = true;
    await h.time.advance(0);
    h.scheduler.runNow(); // queued: would run one more
    h.scheduler.reload([]);
    let idle = false;
    const waited = h.scheduler.idle().then(() => (idle = true));
    await h.time.flush();
    expect(idle).toBe(false);
    h.release();
    await waited;
    expect(h.recorded).toEqual([{ fqdn: "home.example.com", outcome: "updated" }]);
    expect(h.ran).toHaveLength(1);
    expect(h.time.pending()).toEqual([]);
  });

  test("stop: no timer left, a cycle in flight is not recorded, nothing runs after", async () => {
    const h = harness([record("a.example.com"), record("b.example.com")]);
    h.scheduler.start();
    await h.time.advance(0);
    h.gate = true;
    h.scheduler.runNow();
    h.scheduler.reload([record("a.example.com")]); // b leaves with its cycle in flight
    h.scheduler.stop();
    expect(h.time.pending()).toEqual([]);
    h.release();
    await h.scheduler.idle();
    expect(h.recorded).toHaveLength(2); // the first cycles only
    h.scheduler.runNow();
    h.scheduler.start();
    await h.time.advance(10 * INTERVAL);
    expect(h.ran).toHaveLength(4);
    expect(h.time.pending()).toEqual([]);
  });

  test("a crashing cycle is logged, ends the run, and the record can run again", async () => {
    const h = harness([record()]);
    h.fail = true;
    h.scheduler.runNow();
    await h.scheduler.idle();
    expect(h.lines.filter((l) => l.msg === "agent cycle crashed").map((l) => l.obj)).toEqual([
      { fqdn: "home.example.com", err: "Error: boom" },
    ]);
    h.fail = false;
    h.scheduler.runNow();
    await h.scheduler.idle();
    expect(h.ran).toHaveLength(2);
    expect(h.recorded).toHaveLength(1);
  });
});
