import { describe, expect, test } from "vitest";
import { createFakeTime } from "../../core/testing/fake-time.js";
import type { Log } from "../../core/log.js";
import type { PrimaryMessage, WorkerInit } from "./protocol.js";
import {
  createSupervisor,
  type StartPlan,
  type WorkerEvents,
  type WorkerLauncher,
  type WorkerProcess,
  type WorkerReport,
} from "./supervisor.js";

/** A worker process in memory: it exits when disconnected unless `stubborn`. */
class FakeProcess implements WorkerProcess {
  readonly sent: PrimaryMessage[] = [];
  connected = true;
  dead = false;
  killed = false;
  stubborn = false;
  constructor(
    readonly pid: number,
    readonly events: WorkerEvents,
  ) {}
  send(m: PrimaryMessage) {
    this.sent.push(m);
  }
  isConnected() {
    return this.connected;
  }
  isDead() {
    return this.dead;
  }
  disconnect() {
    this.connected = false;
    if (!this.stubborn) this.exit(0, null);
  }
  kill() {
    this.killed = true;
    this.exit(null, "SIGTERM");
  }
  forceKill() {
    this.exit(null, "SIGKILL");
  }
  /** The process ends (as node:cluster reports it: the channel is closed by then). */
  exit(code: number | null, signal: string | null) {
    if (this.dead) return;
    this.connected = false;
    this.dead = true;
    this.events.exit(code, signal);
  }
  say(m: unknown) {
    this.events.message(m);
  }
}

const init = (n: number): WorkerInit => ({
  kind: "init",
  worker: n,
  logLevel: "info",
  logFormat: "json",
  listen: [{ host: "127.0.0.1", port: 5353 }],
  limits: {} as WorkerInit["limits"],
});

function setup(slots = 2) {
  const time = createFakeTime();
  const procs: FakeProcess[] = [];
  const calls: string[] = [];
  const lines: [string, string][] = [];
  const reports: [number, WorkerReport][] = [];
  const replies: ((m: PrimaryMessage) => void)[] = [];
  const line = (level: string) => (_o: object, msg?: string) => lines.push([level, msg ?? ""]);
  const log: Log = { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
  const launcher: WorkerLauncher = {
    setup: () => calls.push("setup"),
    fork(events) {
      const p = new FakeProcess(1000 + procs.length, events);
      procs.push(p);
      calls.push(`fork ${p.pid}`);
      return p;
    },
  };
  const supervisor = createSupervisor({
    slots,
    launcher,
    forked: (ns) => calls.push(`forked ${ns.join(",")}`),
    exited: (n) => calls.push(`exited ${n}`),
    startTimeoutMs: 60_000,
    stopGraceMs: 2000,
    timers: time.timers,
    clock: time.clock,
    log,
  });
  const plan: StartPlan = {
    init,
    received(n, m, reply) {
      reports.push([n, m]);
      replies.push(reply);
    },
  };
  /** Every worker forked so far says hello and ready. */
  const allReady = (seq = 0) => {
    for (const p of procs.filter((q) => !q.dead)) {
      p.say({ kind: "hello" });
      p.say({ kind: "ready", seq });
    }
  };
  /** Starts with every worker ready. */
  const started = async () => {
    const start = supervisor.start(plan);
    allReady();
    await start;
    calls.length = 0;
    reports.length = 0;
  };
  return { time, procs, calls, lines, reports, replies, supervisor, plan, allReady, started };
}

const settle = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => "resolved",
    (e: unknown) => e,
  );

describe("the worker supervisor: start", () => {
  test("sets the launcher up, forks every slot, holds init until hello, resolves when all are ready", async () => {
    const { supervisor, plan, procs, calls, reports, time } = setup(2);
    let done = false;
    const start = supervisor.start(plan).then(() => (done = true));
    expect(calls).toEqual(["setup", "fork 1000", "fork 1001", "forked 1,2"]);
    expect(procs[0]!.sent).toEqual([]);
    procs[0]!.say({ kind: "hello" });
    expect(procs[0]!.sent).toEqual([init(1)]);
    procs[0]!.say({ kind: "ready", seq: 4 });
    await time.flush();
    expect(done).toBe(false);
    procs[1]!.say({ kind: "hello" });
    expect(procs[1]!.sent).toEqual([init(2)]);
    procs[1]!.say({ kind: "ready", seq: 4 });
    await start;
    expect(done).toBe(true);
    expect(reports).toEqual([
      [1, { kind: "ready", seq: 4 }],
      [2, { kind: "ready", seq: 4 }],
    ]);
    expect(supervisor.pids()).toEqual([1000, 1001]);
    expect(time.pending()).toEqual([]);
  });

  test("a worker that cannot bind fails the start with its code, every worker stopped; a new start works", async () => {
    const { supervisor, plan, procs, calls, allReady } = setup(2);
    const start = supervisor.start(plan);
    procs[0]!.say({ kind: "hello" });
    procs[0]!.say({ kind: "failed", code: "EADDRINUSE", message: "bind EADDRINUSE 127.0.0.1:5353" });
    const err = (await settle(start)) as Error & { code?: string };
    expect(err.message).toBe("dns worker could not listen: bind EADDRINUSE 127.0.0.1:5353");
    expect(err.code).toBe("EADDRINUSE");
    expect(procs.map((p) => p.dead)).toEqual([true, true]);
    expect(calls).toContain("exited 1");
    expect(calls).toContain("exited 2");
    expect(supervisor.pids()).toEqual([]);
    const again = supervisor.start(plan);
    allReady();
    expect(await settle(again)).toBe("resolved");
    expect(supervisor.pids()).toEqual([1002, 1003]);
  });

  test("a worker that exits before it is ready fails the start", async () => {
    const { supervisor, plan, procs } = setup(2);
    const start = supervisor.start(plan);
    procs[1]!.exit(1, null);
    const err = (await settle(start)) as Error;
    expect(err.message).toBe("dns worker 2 exited before it was ready (1)");
    expect(procs[0]!.dead).toBe(true);
  });

  test("workers not ready within the start timeout fail the start", async () => {
    const { supervisor, plan, procs, time } = setup(1);
    const start = settle(supervisor.start(plan));
    await time.advance(60_000);
    expect(((await start) as Error).message).toBe("dns workers were not ready in time");
    expect(procs[0]!.dead).toBe(true);
  });

  test("a second start, or a start after stop(true), is refused", async () => {
    const { supervisor, plan, started } = setup(1);
    await started();
    expect(((await settle(supervisor.start(plan))) as Error).message).toMatch(/already started/);
    await supervisor.stop(true);
    expect(((await settle(supervisor.start(plan))) as Error).message).toMatch(/already started or closed/);
  });
});

describe("the worker supervisor: channel", () => {
  test("messages go to the slot's worker after its hello; malformed ones are logged and dropped", async () => {
    const { supervisor, procs, reports, lines, started } = setup(2);
    await started();
    const load: PrimaryMessage = { kind: "changes", seq: 1, changes: [] };
    supervisor.send(2, load);
    expect(procs[1]!.sent.at(-1)).toEqual(load);
    expect(procs[0]!.sent).toEqual([init(1)]);
    procs[0]!.say({ kind: "ack", seq: "1" });
    procs[0]!.say({ kind: "ack", seq: 1 });
    expect(reports).toEqual([[1, { kind: "ack", seq: 1 }]]);
    expect(lines).toContainEqual(["warn", "dns worker: malformed message ignored"]);
  });

  test("a reply goes to the worker that asked, never to the one that replaced it", async () => {
    const { supervisor, procs, replies, time, started } = setup(1);
    await started();
    procs[0]!.say({ kind: "forward", id: 7, bytes: new Uint8Array(12), remoteAddress: "192.0.2.1" });
    const reply = replies[0]!;
    reply({ kind: "reply", id: 7, bytes: null });
    expect(procs[0]!.sent.at(-1)).toEqual({ kind: "reply", id: 7, bytes: null });
    procs[0]!.exit(1, null);
    await time.advance(100);
    expect(procs).toHaveLength(2);
    procs[1]!.say({ kind: "hello" });
    reply({ kind: "reply", id: 7, bytes: null });
    expect(procs[1]!.sent).toEqual([init(1)]);
    expect(supervisor.pids()).toEqual([1001]);
  });

  test("an old worker's messages are ignored once its slot moved on", async () => {
    const { procs, reports, time, started } = setup(1);
    await started();
    procs[0]!.exit(1, null);
    await time.advance(100);
    procs[0]!.say({ kind: "ack", seq: 9 });
    expect(reports).toEqual([]);
  });
});

describe("the worker supervisor: restarts", () => {
  test("a dead worker is forked again after the policy's delay, fed and initialised like the first", async () => {
    const { procs, calls, time, started, lines } = setup(2);
    await started();
    procs[1]!.exit(null, "SIGKILL");
    expect(calls).toEqual(["exited 2"]);
    expect(lines).toContainEqual(["warn", "dns worker exited; restarting"]);
    await time.advance(99);
    expect(procs).toHaveLength(2);
    await time.advance(1);
    expect(calls).toEqual(["exited 2", "fork 1002", "forked 2"]);
    procs[2]!.say({ kind: "hello" });
    expect(procs[2]!.sent).toEqual([init(2)]);
  });

  test("quick failures back off and the slot is given up after ten in a row", async () => {
    const { procs, time, started, lines } = setup(1);
    await started();
    for (let i = 0; i < 11; i++) {
      procs.at(-1)!.exit(1, null);
      await time.advance(10_000);
    }
    expect(time.delays.slice(-10)).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000, 10_000]);
    expect(procs).toHaveLength(11);
    expect(lines).toContainEqual(["error", "dns worker keeps failing; not restarting it"]);
    expect(time.pending()).toEqual([]);
  });

  test("a worker that ran 30 s or more starts the count again", async () => {
    const { procs, time, started } = setup(1);
    await started();
    procs[0]!.exit(1, null);
    await time.advance(100);
    procs[1]!.exit(1, null);
    await time.advance(200);
    await time.advance(30_000);
    procs[2]!.exit(1, null);
    expect(time.pending()).toEqual([100]);
  });

  test("kill(n) ends the slot's worker, which is then restarted", async () => {
    const { supervisor, procs, time, started } = setup(2);
    await started();
    supervisor.kill(1);
    expect(procs[0]!.killed).toBe(true);
    await time.advance(100);
    expect(supervisor.pids()).toEqual([1002, 1001]);
  });
});

describe("the worker supervisor: stop", () => {
  test("stop(true) disconnects every worker, kills one that lingers after the grace, and restarts none", async () => {
    const { supervisor, procs, time, started } = setup(2);
    await started();
    procs[0]!.stubborn = true;
    const stopped = settle(supervisor.stop(true));
    expect(procs.map((p) => p.connected)).toEqual([false, false]);
    expect(procs[1]!.dead).toBe(true);
    await time.advance(1999);
    expect(procs[0]!.dead).toBe(false);
    await time.advance(1);
    expect(procs[0]!.dead).toBe(true);
    expect(await stopped).toBe("resolved");
    expect(procs).toHaveLength(2);
    expect(time.pending()).toEqual([]);
  });

  test("stop(true) cancels a pending restart", async () => {
    const { supervisor, procs, time, started } = setup(1);
    await started();
    procs[0]!.exit(1, null);
    expect(time.pending()).toEqual([100]);
    await supervisor.stop(true);
    expect(time.pending()).toEqual([]);
    await time.advance(1000);
    expect(procs).toHaveLength(1);
  });
});
