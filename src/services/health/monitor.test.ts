import { describe, expect, test } from "vitest";
import { silentLog } from "../../core/log.js";
import type { HealthTransition, MemberHealth, PoolSpec, ProbeRollup } from "../../core/pools.js";
import { createFakeTime } from "../../core/testing/fake-time.js";
import type { NodeMemberHealth, StoredPool } from "../../store/ports.js";
import { noHealthMetrics } from "./metrics.js";
import { createMonitor, STAGGER_MS, type MonitorDeps } from "./monitor.js";
import type { ProbeTarget } from "./ports.js";

const CHECK = { type: "tcp", port: 80, intervalMs: 10_000, timeoutMs: 3_000, rise: 2, fall: 3 } as const;

function pool(over: Partial<PoolSpec> = {}): StoredPool {
  return {
    spec: {
      name: "www.example.com",
      type: "A",
      steering: "failover",
      whenAllDown: "all",
      fallback: [],
      maxAnswers: 8,
      ttlMin: 30,
      ttlMax: 60,
      check: CHECK,
      members: [
        { id: "a", address: "192.0.2.1", priority: 1, weight: 1 },
        { id: "b", address: "192.0.2.2", priority: 2, weight: 1 },
      ],
      ...over,
    },
    overrides: {},
    createdAt: 0,
    updatedAt: 0,
  };
}

/** A store that keeps what the monitor saves, and can be made to fail. */
function fakeStore(saved: NodeMemberHealth[] = []) {
  const s = {
    states: new Map<string, MemberHealth>(),
    transitions: [] as HealthTransition[],
    rollups: [] as ProbeRollup[],
    heartbeats: new Map<string, number>(),
    failing: false,
    listMemberHealth: () => Promise.resolve(saved),
    saveMemberHealth: (_node: string, states: readonly MemberHealth[]) =>
      write(() => states.forEach((st) => s.states.set(`${st.pool}/${st.member}`, st))),
    appendTransitions: (t: readonly HealthTransition[]) => write(() => s.transitions.push(...t)),
    addRollups: (rows: readonly ProbeRollup[]) => write(() => s.rollups.push(...rows)),
    listHeartbeats: () => Promise.resolve(s.heartbeats),
  };
  /** A write that fails while `failing`. */
  const write = (fn: () => unknown): Promise<void> =>
    s.failing ? Promise.reject(new Error("store away")) : Promise.resolve(void fn());
  return s;
}

function setup(
  opts: { saved?: NodeMemberHealth[]; addresses?: Record<string, string[]>; maxConcurrent?: number } = {},
) {
  const time = createFakeTime();
  const store = fakeStore(opts.saved);
  const probes: ProbeTarget[] = [];
  /** address → ok; absent: ok. */
  const down = new Set<string>();
  let release: (() => void) | undefined;
  const hold = { on: false };
  const changed: string[] = [];
  const deps: MonitorDeps = {
    store,
    prober: async (t) => {
      probes.push(t);
      if (hold.on) await new Promise<void>((r) => (release = r));
      return down.has(t.address) ? { ok: false, reason: "refused" } : { ok: true, rttMs: 5 };
    },
    clock: time.clock,
    timers: time.timers,
    random: () => 0.5,
    log: silentLog,
    node: "n1",
    addressesOf: (fqdn) => opts.addresses?.[fqdn] ?? [],
    changed: (p) => changed.push(p),
    metrics: noHealthMetrics,
    ...(opts.maxConcurrent === undefined ? {} : { maxConcurrent: opts.maxConcurrent }),
  };
  const monitor = createMonitor(deps);
  return { time, store, probes, down, hold, release: () => release?.(), changed, monitor };
}

describe("the monitor", () => {
  test("probes every member from load on (staggered), each once per interval, and tells of changes", async () => {
    const { time, probes, monitor, changed } = setup();
    await monitor.load([pool()]);
    await time.advance(STAGGER_MS);
    expect(probes.map((p) => p.address).sort()).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(probes[0]?.poolName).toBe("www.example.com");
    expect(changed).toEqual(["www.example.com", "www.example.com"]);
    await time.advance(CHECK.intervalMs);
    expect(probes).toHaveLength(4);
    expect(monitor.states("www.example.com")?.get("a")?.status).toBe("up");
    expect(changed).toHaveLength(2); // a steady probe (still up, no failure counted) wakes nobody
    await monitor.stop();
  });

  test("a member goes down after `fall` failures; the transition and states are saved at the next flush", async () => {
    const { time, store, down, monitor } = setup();
    await monitor.load([pool()]);
    await time.advance(STAGGER_MS);
    down.add("192.0.2.1");
    await time.advance(CHECK.intervalMs * 2);
    expect(monitor.states("www.example.com")?.get("a")?.status).toBe("up");
    await time.advance(CHECK.intervalMs);
    expect(monitor.states("www.example.com")?.get("a")?.status).toBe("down");
    expect(store.transitions).toEqual([]);
    await monitor.flush();
    expect(store.transitions.map((t) => [t.member, t.from, t.to, t.node])).toEqual([
      ["a", "unknown", "up", "n1"],
      ["b", "unknown", "up", "n1"],
      ["a", "up", "down", "n1"],
    ]);
    expect(store.states.get("www.example.com/a")?.status).toBe("down");
    await monitor.stop();
  });

  test("a failed flush keeps states, transitions and roll-ups for the next one", async () => {
    const { time, store, monitor } = setup();
    await monitor.load([pool()]);
    await time.advance(STAGGER_MS);
    store.failing = true;
    await expect(monitor.flush(true)).rejects.toThrow("store away");
    store.failing = false;
    await monitor.flush(true);
    expect(store.states.size).toBe(2);
    expect(store.transitions).toHaveLength(2);
    expect(store.rollups.reduce((n, r) => n + r.ok, 0)).toBe(2);
    await monitor.stop();
  });

  test("resumes this node's saved states (not other nodes')", async () => {
    const saved = (node: string, member: string, status: "up" | "down"): NodeMemberHealth => ({
      pool: "www.example.com",
      member,
      status,
      streak: 0,
      since: 1,
      node,
      observedAt: 1,
    });
    const { monitor } = setup({ saved: [saved("n1", "a", "down"), saved("n2", "b", "down")] });
    await monitor.load([pool()]);
    expect(monitor.states("www.example.com")?.get("a")?.status).toBe("down");
    expect(monitor.states("www.example.com")?.get("b")?.status).toBe("unknown");
    await monitor.stop();
  });

  test("a host member is probed at each of its addresses: ok only when all answer; none is a failure", async () => {
    const { time, probes, down, monitor, store } = setup({
      addresses: { "line.example.com": ["192.0.2.7", "192.0.2.8"] },
    });
    const members = [
      { id: "l", host: "line.example.com", priority: 1, weight: 1 },
      { id: "gone", host: "gone.example.com", priority: 1, weight: 1 },
    ];
    down.add("192.0.2.8");
    await monitor.load([pool({ members, check: { ...CHECK, fall: 1 } })]);
    await time.advance(STAGGER_MS);
    expect(probes.map((p) => p.address).sort()).toEqual(["192.0.2.7", "192.0.2.8"]);
    await monitor.flush();
    const reasons = Object.fromEntries(store.transitions.map((t) => [t.member, t.reason]));
    expect(reasons["l"]).toContain("192.0.2.8: refused");
    expect(reasons["gone"]).toContain("no address");
    await monitor.stop();
  });

  test("heartbeat members are up while their host's heartbeat is fresh", async () => {
    const { time, store, monitor } = setup();
    const check = {
      type: "heartbeat",
      intervalMs: 10_000,
      timeoutMs: 3_000,
      rise: 1,
      fall: 2,
      maxAgeMs: 20_000,
    } as const;
    const members = [{ id: "l1", host: "line1.example.com", priority: 1, weight: 1 }];
    store.heartbeats.set("line1.example.com", time.clock());
    await monitor.load([pool({ members, check })]);
    await time.advance(STAGGER_MS);
    expect(monitor.states("www.example.com")?.get("l1")?.status).toBe("up");
    monitor.noteHeartbeat("line1.example.com", time.clock() + 10_000); // taken by this node
    await time.advance(30_000);
    expect(monitor.states("www.example.com")?.get("l1")?.status).toBe("up");
    await time.advance(40_000);
    const s = monitor.states("www.example.com")?.get("l1");
    expect(s?.status).toBe("down");
    expect(s?.lastReason).toMatch(/last heartbeat \d+ s ago/);
    await monitor.stop();
  });

  test("at most maxConcurrent probes run; a member whose probe is still out skips its round", async () => {
    const { time, probes, hold, release, monitor } = setup({ maxConcurrent: 1 });
    hold.on = true;
    await monitor.load([pool()]);
    await time.advance(STAGGER_MS);
    expect(probes).toHaveLength(1);
    await time.advance(CHECK.intervalMs * 3);
    expect(probes).toHaveLength(1); // the held probe blocks the other; its own rounds are skipped
    hold.on = false;
    release();
    await time.flush();
    expect(probes).toHaveLength(2);
    await monitor.stop();
  });

  test("members removed by a load stop being probed", async () => {
    const { time, probes, monitor } = setup();
    await monitor.load([pool()]);
    await time.advance(STAGGER_MS);
    await monitor.load([pool({ members: [{ id: "a", address: "192.0.2.1", priority: 1, weight: 1 }] })]);
    probes.length = 0;
    await time.advance(CHECK.intervalMs * 2);
    expect(new Set(probes.map((p) => p.address))).toEqual(new Set(["192.0.2.1"]));
    expect(monitor.states("www.example.com")?.has("b")).toBe(false);
    await monitor.stop();
  });
});
