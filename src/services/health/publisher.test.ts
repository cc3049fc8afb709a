import { describe, expect, test } from "vitest";
import { silentLog } from "../../core/log.js";
import type { HealthStatus, MemberHealth, PoolSpec } from "../../core/pools.js";
import type { UpdateRequest } from "../apply-update.js";
import type { NodeMemberHealth, StoredPool } from "../../store/ports.js";
import { noHealthMetrics } from "./metrics.js";
import { createPublisher, type PoolEvent, type PublisherDeps } from "./publisher.js";

const NAME = "www.example.com";
const CHECK = { type: "tcp", port: 80, intervalMs: 10_000, timeoutMs: 3_000, rise: 2, fall: 3 } as const;

function pool(over: Partial<PoolSpec> = {}, overrides: StoredPool["overrides"] = {}): StoredPool {
  return {
    spec: {
      name: NAME,
      type: "A",
      steering: "failover",
      whenAllDown: "all",
      fallback: [],
      maxAnswers: 8,
      ttlMin: 30,
      ttlMax: 60,
      check: CHECK,
      members: [
        { id: "a", address: "192.0.2.1", priority: 1, weight: 3 },
        { id: "b", address: "192.0.2.2", priority: 2, weight: 1 },
      ],
      ...over,
    },
    overrides,
    createdAt: 0,
    updatedAt: 0,
  };
}

function health(member: string, status: HealthStatus, rttMs?: number): MemberHealth {
  return { pool: NAME, member, status, streak: 0, since: 0, ...(rttMs === undefined ? {} : { rttMs }) };
}

function setup(opts: { shared?: boolean; others?: NodeMemberHealth[]; lease?: boolean } = {}) {
  let now = 1_700_000_000_000;
  const local = new Map<string, MemberHealth>([
    ["a", health("a", "up")],
    ["b", health("b", "up")],
  ]);
  const zone = new Map<string, { values: readonly string[]; ttl: number }>();
  const writes: UpdateRequest[] = [];
  const events: PoolEvent[] = [];
  const rules: [string, unknown][] = [];
  const ctl = { failWrites: false, lease: opts.lease ?? true, claims: 0 };
  const deps: PublisherDeps = {
    store: {
      listMemberHealth: () => Promise.resolve(opts.others ?? []),
      claimPublisher: () => {
        ctl.claims++;
        return Promise.resolve(ctl.lease);
      },
      releasePublisher: () => Promise.resolve(),
    },
    updates: {
      update: (req) => {
        if (ctl.failWrites)
          return Promise.resolve([
            { status: "failed", fqdn: NAME, code: "store_unavailable", message: "away" },
          ]);
        writes.push(req);
        const set = req.sets.A;
        if (set === null || set === undefined) zone.delete(NAME);
        else zone.set(NAME, { values: set.values, ttl: set.ttl ?? 0 });
        return Promise.resolve([{ status: "good", fqdn: NAME, sets: [] }]);
      },
    },
    clock: () => now,
    log: silentLog,
    node: "n1",
    leaseOwner: "n1/1/x",
    local: () => local,
    addressesOf: () => [],
    published: (fqdn) => zone.get(fqdn),
    shared: opts.shared ?? false,
    metrics: noHealthMetrics,
    notify: (e) => Promise.resolve(void events.push(...e)),
    rules: { set: (name, _type, rule) => void rules.push([name, rule]) },
  };
  const publisher = createPublisher(deps);
  return {
    publisher,
    local,
    zone,
    writes,
    events,
    rules,
    ctl,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

describe("the publisher", () => {
  test("failover: publishes the best group, moves away from a down member, and says so once", async () => {
    const t = setup();
    t.publisher.setPools([pool()]);
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)).toEqual({ values: ["192.0.2.1"], ttl: 30 });
    expect(t.writes[0]?.source.protocol).toBe("pool");
    expect(t.events).toEqual([]); // the first evaluation only learns the state
    t.local.set("a", { ...health("a", "down"), lastReason: "3 failures: refused" });
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.2"]);
    expect(t.events.map((e) => [e.kind, e.member, e.from, e.to, e.reason])).toEqual([
      ["pool.member_down", "a", "up", "down", "3 failures: refused"],
    ]);
    await t.publisher.evaluate();
    expect(t.writes).toHaveLength(2); // nothing changed: nothing written
    expect(t.events).toHaveLength(1);
  });

  test("a node without the lease decides but neither writes nor notifies", async () => {
    const t = setup({ lease: false });
    t.publisher.setPools([pool()]);
    await t.publisher.evaluate();
    t.local.set("a", health("a", "down"));
    await t.publisher.evaluate();
    expect(t.writes).toEqual([]);
    expect(t.events).toEqual([]);
    expect(t.publisher.decision(NAME)?.values).toEqual(["192.0.2.2"]);
  });

  test("the lease is claimed at most every 5 s, however often the pools are evaluated; a lapsed one is taken then", async () => {
    const t = setup({ lease: false });
    t.publisher.setPools([pool()]);
    for (let i = 0; i < 20; i++) {
      await t.publisher.evaluate();
      t.advance(200);
    }
    expect(t.ctl.claims).toBe(1); // 4 s of evaluations
    t.ctl.lease = true; // the holder's lease lapsed
    t.advance(1_000);
    await t.publisher.evaluate();
    expect(t.ctl.claims).toBe(2);
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.1"]);
  });

  test("every member down: when_all_down applies (all, nodata, fallback) and all_down / recovered are sent", async () => {
    const t = setup();
    t.publisher.setPools([pool()]);
    await t.publisher.evaluate();
    t.local.set("a", health("a", "down"));
    t.local.set("b", health("b", "down"));
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(t.events.map((e) => e.kind)).toContain("pool.all_down");
    t.publisher.setPools([pool({ whenAllDown: "nodata" })]);
    await t.publisher.evaluate();
    expect(t.zone.has(NAME)).toBe(false);
    expect(t.writes.at(-1)?.sets.A).toBeNull();
    t.publisher.setPools([pool({ whenAllDown: "fallback", fallback: ["198.51.100.9"] })]);
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.values).toEqual(["198.51.100.9"]);
    t.local.set("b", health("b", "up"));
    await t.publisher.evaluate();
    expect(t.events.map((e) => e.kind).slice(-2)).toEqual(["pool.member_up", "pool.recovered"]);
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.2"]);
  });

  test("an override wins over probes", async () => {
    const t = setup();
    t.publisher.setPools([pool({}, { a: "maintenance" })]);
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.2"]);
    t.local.set("b", health("b", "down"));
    t.publisher.setPools([pool({}, { a: "maintenance", b: "forced_up" })]);
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.2"]);
  });

  const other = (
    node: string,
    member: string,
    status: HealthStatus,
    observedAt: number,
  ): NodeMemberHealth => ({
    ...health(member, status),
    node,
    observedAt,
  });

  test("several nodes: the quorum of fresh views decides; stale views do not vote", async () => {
    const now = 1_700_000_000_000;
    // a: two others say down, this node up → down; b: one stale "down" ignored → up
    // (stale: older than 3 intervals + the save lag, 30 s + 3 s)
    const t = setup({
      shared: true,
      others: [
        other("n2", "a", "down", now),
        other("n3", "a", "down", now),
        other("n2", "b", "down", now - 33_001),
      ],
    });
    t.publisher.setPools([pool()]);
    await t.publisher.evaluate();
    expect(t.publisher.decision(NAME)?.statuses.get("a")).toBe("down");
    expect(t.publisher.decision(NAME)?.statuses.get("b")).toBe("up");
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.2"]);
  });

  test("several nodes, 1 s checks: views saved every 2 s and read once a second still vote (3 intervals + 3 s)", async () => {
    const now = 1_700_000_000_000;
    // saved 3.5 s ago (a save 2 s apart, read 1 s late, the tick a little late): more than 3
    // intervals, and still the other nodes' current view: two down against this node's up → down
    const t = setup({
      shared: true,
      others: [
        other("n2", "a", "down", now - 3_500),
        other("n3", "a", "down", now - 5_900),
        other("n2", "b", "down", now - 6_001),
      ],
    });
    t.publisher.setPools([pool({ check: { ...CHECK, intervalMs: 1_000, timeoutMs: 500 } })]);
    await t.publisher.evaluate();
    expect(t.publisher.decision(NAME)?.statuses.get("a")).toBe("down");
    expect(t.publisher.decision(NAME)?.statuses.get("b")).toBe("up"); // 6.001 s: stale
  });

  test("fastest: a clearly faster member takes over after three rounds, one per interval; near-equal ones never alternate", async () => {
    const t = setup();
    t.local.set("a", health("a", "up", 20));
    t.local.set("b", health("b", "up", 19));
    t.publisher.setPools([pool({ steering: "fastest" })]);
    await t.publisher.evaluate();
    const leader = t.publisher.decision(NAME)?.leader;
    for (let i = 0; i < 10; i++) {
      t.advance(CHECK.intervalMs);
      t.local.set("a", health("a", "up", i % 2 === 0 ? 19 : 21));
      await t.publisher.evaluate();
      expect(t.publisher.decision(NAME)?.leader).toBe(leader);
    }
    const slow = leader!;
    const fast = slow === "a" ? "b" : "a";
    t.local.set(slow, health(slow, "up", 80));
    t.local.set(fast, health(fast, "up", 10));
    for (let i = 0; i < 5; i++) await t.publisher.evaluate(); // same interval: one round at most
    expect(t.publisher.decision(NAME)?.leader).toBe(slow);
    for (let i = 0; i < 3; i++) {
      t.advance(CHECK.intervalMs);
      await t.publisher.evaluate();
    }
    expect(t.publisher.decision(NAME)?.leader).toBe(fast);
    expect(t.zone.get(NAME)?.values).toEqual([fast === "a" ? "192.0.2.1" : "192.0.2.2"]);
  });

  test("weighted and hashed pools get a per-query rule with the members' weights; others none", async () => {
    const t = setup();
    t.publisher.setPools([pool({ steering: "weighted" })]);
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.1", "192.0.2.2"]);
    const [name, rule] = t.rules.at(-1)!;
    expect(name).toBe(NAME);
    expect(rule).toEqual({
      mode: "weighted",
      weights: new Map([
        ["192.0.2.1", 3],
        ["192.0.2.2", 1],
      ]),
    });
    t.publisher.setPools([pool()]);
    await t.publisher.evaluate();
    expect(t.rules.at(-1)).toEqual([NAME, undefined]);
  });

  test("a failed write is tried again, and its notification is not lost", async () => {
    const t = setup();
    t.publisher.setPools([pool()]);
    await t.publisher.evaluate();
    t.ctl.failWrites = true;
    t.local.set("a", health("a", "down"));
    await t.publisher.evaluate();
    expect(t.events).toEqual([]);
    t.ctl.failWrites = false;
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.values).toEqual(["192.0.2.2"]);
    expect(t.events.map((e) => e.kind)).toEqual(["pool.member_down"]);
  });

  test("while a member is unknown the TTL is the minimum; a removed pool's rule goes", async () => {
    const t = setup();
    t.local.set("a", health("a", "unknown"));
    t.publisher.setPools([pool({ ttlMin: 10, ttlMax: 60, check: { ...CHECK, intervalMs: 30_000 } })]);
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.ttl).toBe(10);
    t.local.set("a", health("a", "up"));
    await t.publisher.evaluate();
    expect(t.zone.get(NAME)?.ttl).toBe(60); // 3 failures × 30 s away, clamped to 60
    t.publisher.setPools([]);
    expect(t.rules.at(-1)).toEqual([NAME, undefined]);
  });
});
