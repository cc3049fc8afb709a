// The PoolStore part of the Store contract (called from runStoreContract and each adapter's
// port-modules test): pools round-trip their spec exactly and keep only the overrides and states of
// members they still have; states are per node; transitions are an append-only, newest-first log with
// ids never reused; roll-ups of one minute merge; pruning is bounded; heartbeats only move forward;
// the publisher lease behaves as a mirror lease; deleting a pool takes everything of it. Bad input
// tried: absent pools and members everywhere, names, ids and reasons with quotes, SQL, unicode and
// 1,000 characters, a duplicate key in one call, concurrent claims.

import { describe, expect, it } from "vitest";

import type { HealthTransition, MemberHealth, PoolSpec, ProbeRollup } from "../../core/pools.js";
import type { PoolStore } from "../ports.js";
import { T0 } from "./fixtures.js";

const P = "www.example.com";
const MINUTE = 60_000;

/** A valid spec with members a, b and c; only required fields unless `extra` sets more. */
export function poolFixture(name = P, extra: Partial<PoolSpec> = {}): PoolSpec {
  return {
    name,
    type: "A",
    steering: "failover",
    whenAllDown: "all",
    fallback: [],
    maxAnswers: 8,
    ttlMin: 30,
    ttlMax: 60,
    check: { type: "tcp", port: 443, intervalMs: 10_000, timeoutMs: 3_000, rise: 2, fall: 3 },
    members: ["a", "b", "c"].map((id, i) => ({ id, address: `192.0.2.${i + 1}`, priority: 1, weight: 1 })),
    ...extra,
  };
}

/** Every optional field set. */
const FULL: PoolSpec = poolFixture("full.example.com", {
  type: "AAAA",
  steering: "fastest",
  whenAllDown: "fallback",
  fallback: ["2001:db8::ff", "2001:db8::fe"],
  maxAnswers: 2,
  ttlMin: 5,
  ttlMax: 300,
  check: {
    type: "https",
    port: 8443,
    path: "/health?full=1",
    host: "origin.example.com",
    expect: "200-299,301",
    body: `"status": "ok"`,
    tlsVerify: false,
    query: "q.example.com",
    maxAgeMs: 25_000,
    intervalMs: 1_000,
    timeoutMs: 500,
    rise: 1,
    fall: 5,
  },
  members: [
    { id: "line-1", address: "2001:db8::1", priority: 1, weight: 0 },
    { id: "line_2", host: "line2.example.com", priority: 2, weight: 1_000 },
  ],
});

/** No optional field set (members without address or host are the caller's to refuse). */
const BARE: PoolSpec = poolFixture("bare.example.com", {
  check: { type: "none", intervalMs: 10_000, timeoutMs: 3_000, rise: 2, fall: 3 },
  members: [{ id: "m", priority: 1, weight: 1 }],
});

function state(member: string, extra: Partial<MemberHealth> = {}): MemberHealth {
  return {
    pool: P,
    member,
    status: "up",
    streak: 0,
    rttMs: 12.5,
    lastReason: "ok",
    lastProbeAt: T0,
    since: T0,
    ...extra,
  };
}

function transition(member: string, at: number, extra: Partial<HealthTransition> = {}): HealthTransition {
  return { at, pool: P, member, node: "n1", from: "up", to: "down", reason: "timeout", ...extra };
}

function rollup(member: string, minute: number, extra: Partial<ProbeRollup> = {}): ProbeRollup {
  return {
    pool: P,
    member,
    node: "n1",
    minute,
    ok: 1,
    fail: 0,
    rttMinMs: 10,
    rttMaxMs: 10,
    rttSumMs: 10,
    ...extra,
  };
}

export function poolsContract(get: () => PoolStore): void {
  describe("pools", () => {
    it("creates, replaces, gets, lists (by name) and deletes pools; a spec round-trips exactly", async () => {
      const store = get();
      expect(await store.putPool(FULL, T0)).toEqual({ created: true });
      expect(await store.putPool(BARE, T0 + 1)).toEqual({ created: true });
      expect(await store.getPool(FULL.name)).toStrictEqual({
        spec: FULL,
        overrides: {},
        createdAt: T0,
        updatedAt: T0,
      });
      expect((await store.getPool(BARE.name))?.spec).toStrictEqual(BARE);
      expect((await store.listPools()).map((p) => p.spec.name)).toEqual([BARE.name, FULL.name]);

      const replaced = { ...FULL, steering: "weighted" as const, ttlMax: 120 };
      expect(await store.putPool(replaced, T0 + 5)).toEqual({ created: false });
      expect(await store.getPool(FULL.name)).toStrictEqual({
        spec: replaced,
        overrides: {},
        createdAt: T0,
        updatedAt: T0 + 5,
      });

      expect(await store.deletePool(FULL.name)).toBe(true);
      expect(await store.deletePool(FULL.name)).toBe(false);
      expect(await store.getPool(FULL.name)).toBeUndefined();
      expect((await store.listPools()).map((p) => p.spec.name)).toEqual([BARE.name]);
      expect(await store.getPool("absent.example.com")).toBeUndefined();
    });

    it("sets and clears overrides of existing members only", async () => {
      const store = get();
      expect(await store.setOverride(P, "a", "forced_down", T0)).toBe(false); // no pool yet
      await store.putPool(poolFixture(), T0);
      expect(await store.setOverride(P, "zz", "forced_down", T0)).toBe(false); // no such member
      expect(await store.setOverride(P, "a", "forced_down", T0)).toBe(true);
      expect(await store.setOverride(P, "b", "maintenance", T0)).toBe(true);
      expect(await store.setOverride(P, "a", "forced_up", T0 + 1)).toBe(true);
      expect((await store.getPool(P))?.overrides).toEqual({ a: "forced_up", b: "maintenance" });
      expect(await store.setOverride(P, "b", "none", T0 + 2)).toBe(true);
      expect(await store.setOverride(P, "c", "none", T0 + 2)).toBe(true); // clearing nothing is fine
      expect((await store.listPools())[0]?.overrides).toEqual({ a: "forced_up" });
    });

    it("replacing a spec drops the overrides and every node's states of removed members, keeps the others'", async () => {
      const store = get();
      await store.putPool(poolFixture(), T0);
      await store.setOverride(P, "a", "maintenance", T0);
      await store.setOverride(P, "b", "forced_down", T0);
      await store.saveMemberHealth("n1", [state("a"), state("b")], T0);
      await store.saveMemberHealth("n2", [state("a"), state("b")], T0);
      await store.appendTransitions([transition("b", T0)]);
      await store.addRollups([rollup("b", T0)]);

      const spec = poolFixture(P, { members: [...poolFixture().members.filter((m) => m.id !== "b")] });
      expect(await store.putPool(spec, T0 + 1)).toEqual({ created: false });
      expect((await store.getPool(P))?.overrides).toEqual({ a: "maintenance" });
      expect((await store.listMemberHealth(P)).map((s) => [s.member, s.node])).toEqual([
        ["a", "n1"],
        ["a", "n2"],
      ]);
      // The history of a removed member stays until it is pruned.
      expect(await store.listTransitions(P, { limit: 10 })).toHaveLength(1);
      expect(await store.listRollups(P, 0)).toHaveLength(1);
      // A member given back starts without an override.
      await store.putPool(poolFixture(), T0 + 2);
      expect((await store.getPool(P))?.overrides).toEqual({ a: "maintenance" });
    });

    it("deleting a pool takes its overrides, states, transitions and roll-ups; a new pool of that name starts empty", async () => {
      const store = get();
      const other = poolFixture("other.example.com");
      await store.putPool(poolFixture(), T0);
      await store.putPool(other, T0);
      await store.setOverride(P, "a", "maintenance", T0);
      await store.saveMemberHealth("n1", [state("a"), { ...state("a"), pool: other.name }], T0);
      await store.appendTransitions([transition("a", T0), { ...transition("a", T0), pool: other.name }]);
      await store.addRollups([rollup("a", T0), { ...rollup("a", T0), pool: other.name }]);
      const [before] = await store.listTransitions(P, { limit: 1 });

      expect(await store.deletePool(P)).toBe(true);
      expect(await store.listMemberHealth(P)).toEqual([]);
      expect(await store.listTransitions(P, { limit: 10 })).toEqual([]);
      expect(await store.listRollups(P, 0)).toEqual([]);
      await store.putPool(poolFixture(), T0 + 1);
      expect((await store.getPool(P))?.overrides).toEqual({});
      expect(await store.listMemberHealth(P)).toEqual([]);
      // The other pool kept its rows; a new transition's id is larger than any given before.
      expect(await store.listMemberHealth()).toHaveLength(1);
      expect(await store.listRollups(other.name, 0)).toHaveLength(1);
      await store.appendTransitions([transition("a", T0 + 2)]);
      const [after] = await store.listTransitions(P, { limit: 1 });
      expect(after!.id).toBeGreaterThan(before!.id);
    });
  });

  describe("member states", () => {
    it("upserts each node's state apart, sorted by pool, member, node; ignores absent pools and members", async () => {
      const store = get();
      const second = poolFixture("alpha.example.com");
      await store.putPool(poolFixture(), T0);
      await store.putPool(second, T0);
      await store.saveMemberHealth(
        "n2",
        [state("b", { status: "down", streak: 3, lastReason: "refused" })],
        T0,
      );
      await store.saveMemberHealth(
        "n1",
        [
          state("b"),
          { ...state("a"), pool: second.name },
          state("zz"), // not a member
          { ...state("a"), pool: "absent.example.com" },
        ],
        T0 + 1,
      );
      expect(await store.listMemberHealth()).toEqual([
        { ...state("a"), pool: second.name, node: "n1", observedAt: T0 + 1 },
        { ...state("b"), node: "n1", observedAt: T0 + 1 },
        { ...state("b", { status: "down", streak: 3, lastReason: "refused" }), node: "n2", observedAt: T0 },
      ]);

      // A node's next save replaces its own row only; optional fields can go back to absent.
      const next: MemberHealth = { pool: P, member: "b", status: "unknown", streak: 1, since: T0 + 9 };
      await store.saveMemberHealth("n1", [next], T0 + 10);
      const rows = await store.listMemberHealth(P);
      expect(rows).toEqual([
        { ...next, node: "n1", observedAt: T0 + 10 },
        { ...state("b", { status: "down", streak: 3, lastReason: "refused" }), node: "n2", observedAt: T0 },
      ]);
      expect(rows[0]?.rttMs).toBeUndefined();
      expect(rows[0]?.lastProbeAt).toBeUndefined();
    });

    it("keeps the last of two states given for one member in one call, and fractional round-trip times", async () => {
      const store = get();
      await store.putPool(poolFixture(), T0);
      await store.saveMemberHealth("n1", [state("a", { rttMs: 1 }), state("a", { rttMs: 0.123456789 })], T0);
      expect((await store.listMemberHealth(P)).map((s) => s.rttMs)).toEqual([0.123456789]);
    });
  });

  describe("transitions", () => {
    it("lists newest first with increasing ids; limit, before and member narrow it; absent pools are ignored", async () => {
      const store = get();
      await store.putPool(poolFixture(), T0);
      await store.appendTransitions([
        transition("a", T0 + 1),
        transition("b", T0 + 2, { from: "down", to: "up", reason: "2 successes", rttMs: 7.25 }),
        transition("x", T0 + 2, { pool: "absent.example.com" }),
        transition("a", T0 + 3, { from: "up", to: "maintenance", reason: "override by admin" }),
      ]);
      await store.appendTransitions([transition("c", T0 + 4, { node: "n2", from: "unknown" })]);
      const all = await store.listTransitions(P, { limit: 10 });
      expect(all.map((t) => [t.member, t.at])).toEqual([
        ["c", T0 + 4],
        ["a", T0 + 3],
        ["b", T0 + 2],
        ["a", T0 + 1],
      ]);
      const ids = all.map((t) => t.id).reverse();
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(4);
      const { id: _id, ...b } = all[2]!;
      expect(b).toEqual(
        transition("b", T0 + 2, { from: "down", to: "up", reason: "2 successes", rttMs: 7.25 }),
      );

      expect((await store.listTransitions(P, { limit: 2 })).map((t) => t.member)).toEqual(["c", "a"]);
      expect((await store.listTransitions(P, { limit: 10, before: all[1]!.id })).map((t) => t.at)).toEqual([
        T0 + 2,
        T0 + 1,
      ]);
      expect((await store.listTransitions(P, { limit: 10, member: "a" })).map((t) => t.at)).toEqual([
        T0 + 3,
        T0 + 1,
      ]);
      expect(await store.listTransitions(P, { limit: 10, member: "a", before: all[1]!.id })).toHaveLength(1);
      expect(await store.listTransitions(P, { limit: 0 })).toEqual([]);
      expect(await store.listTransitions("absent.example.com", { limit: 10 })).toEqual([]);
    });
  });

  describe("roll-ups", () => {
    it("merges rows of one minute (counts and sums added, min and max combined), also within one call", async () => {
      const store = get();
      await store.putPool(poolFixture(), T0);
      await store.addRollups([
        rollup("a", T0, { ok: 2, rttMinMs: 5.5, rttMaxMs: 20, rttSumMs: 25.5 }),
        rollup("a", T0, { ok: 1, fail: 1, rttMinMs: 3, rttMaxMs: 3, rttSumMs: 3 }),
      ]);
      await store.addRollups([
        rollup("a", T0, { ok: 1, fail: 2, rttMinMs: 30, rttMaxMs: 30.25, rttSumMs: 30.25 }),
      ]);
      expect(await store.listRollups(P, T0)).toEqual([
        rollup("a", T0, { ok: 4, fail: 3, rttMinMs: 3, rttMaxMs: 30.25, rttSumMs: 58.75 }),
      ]);
    });

    it("keeps min and max absent until a success, then takes the success's", async () => {
      const store = get();
      await store.putPool(poolFixture(), T0);
      const failures = { ok: 0, fail: 2, rttMinMs: undefined, rttMaxMs: undefined, rttSumMs: 0 };
      await store.addRollups([rollup("a", T0, failures)]);
      await store.addRollups([rollup("a", T0, failures)]);
      const [none] = await store.listRollups(P, T0);
      expect(none).toEqual(rollup("a", T0, { ...failures, fail: 4 }));
      expect(none?.rttMinMs).toBeUndefined();
      expect(none?.rttMaxMs).toBeUndefined();
      await store.addRollups([rollup("a", T0, { ok: 1, rttMinMs: 8, rttMaxMs: 8, rttSumMs: 8 })]);
      await store.addRollups([rollup("a", T0, failures)]);
      expect(await store.listRollups(P, T0)).toEqual([
        rollup("a", T0, { ok: 1, fail: 6, rttMinMs: 8, rttMaxMs: 8, rttSumMs: 8 }),
      ]);
    });

    it("lists minutes >= since, sorted by minute, member, node; ignores absent pools", async () => {
      const store = get();
      await store.putPool(poolFixture(), T0);
      await store.addRollups([
        rollup("b", T0 + MINUTE, { node: "n2" }),
        rollup("b", T0 + MINUTE),
        rollup("a", T0 + MINUTE),
        rollup("a", T0),
        rollup("a", T0, { pool: "absent.example.com" }),
      ]);
      expect((await store.listRollups(P, T0 + 1)).map((r) => [r.minute, r.member, r.node])).toEqual([
        [T0 + MINUTE, "a", "n1"],
        [T0 + MINUTE, "b", "n1"],
        [T0 + MINUTE, "b", "n2"],
      ]);
      expect(await store.listRollups(P, 0)).toHaveLength(4);
      expect(await store.listRollups("absent.example.com", 0)).toEqual([]);
    });
  });

  describe("pruning", () => {
    it("deletes transitions and roll-ups older than their cut-offs, at most `limit` of each per call", async () => {
      const store = get();
      await store.putPool(poolFixture(), T0);
      await store.appendTransitions([1, 2, 3, 4].map((i) => transition("a", T0 + i)));
      await store.addRollups([0, 1, 2, 3].map((i) => rollup("a", T0 + i * MINUTE)));
      // Cut-offs: transitions before T0 + 4 (three), roll-ups before T0 + 2 minutes (two).
      expect(await store.pruneHealth(T0 + 4, T0 + 2 * MINUTE, 2)).toBe(4);
      expect(await store.pruneHealth(T0 + 4, T0 + 2 * MINUTE, 2)).toBe(1);
      expect(await store.pruneHealth(T0 + 4, T0 + 2 * MINUTE, 2)).toBe(0);
      expect((await store.listTransitions(P, { limit: 10 })).map((t) => t.at)).toEqual([T0 + 4]);
      expect((await store.listRollups(P, 0)).map((r) => r.minute)).toEqual([
        T0 + 2 * MINUTE,
        T0 + 3 * MINUTE,
      ]);
    });
  });

  describe("heartbeats", () => {
    it("keeps the latest heartbeat of each host; an earlier one is ignored", async () => {
      const store = get();
      expect(await store.listHeartbeats()).toEqual(new Map());
      await store.recordHeartbeat("line1.example.com", T0 + 10);
      await store.recordHeartbeat("line2.example.com", T0);
      await store.recordHeartbeat("line1.example.com", T0 + 5);
      await store.recordHeartbeat("line2.example.com", T0 + 20);
      expect(await store.listHeartbeats()).toEqual(
        new Map([
          ["line1.example.com", T0 + 10],
          ["line2.example.com", T0 + 20],
        ]),
      );
    });
  });

  describe("publisher lease", () => {
    it("is taken when free, refused while another holds it, taken over when expired, renewed by its owner, freed by release", async () => {
      const store = get();
      expect(await store.claimPublisher("n1", T0, 10_000)).toBe(true);
      expect(await store.claimPublisher("n2", T0 + 9_999, 10_000)).toBe(false);
      expect(await store.claimPublisher("n1", T0 + 5_000, 10_000)).toBe(true); // renewed to T0 + 15 s
      expect(await store.claimPublisher("n2", T0 + 12_000, 10_000)).toBe(false);
      expect(await store.claimPublisher("n2", T0 + 15_000, 10_000)).toBe(true); // expired: taken over
      await store.releasePublisher("n1"); // not its lease: nothing happens
      expect(await store.claimPublisher("n1", T0 + 16_000, 10_000)).toBe(false);
      await store.releasePublisher("n2");
      expect(await store.claimPublisher("n1", T0 + 16_000, 10_000)).toBe(true);
    });

    it("lets exactly one of many concurrent claims through", async () => {
      const store = get();
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.claimPublisher(`n${i}`, T0, 10_000)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });
  });

  describe("copies and odd input", () => {
    it("returns fresh copies: mutating them changes nothing stored", async () => {
      const store = get();
      await store.putPool(FULL, T0);
      await store.setOverride(FULL.name, "line-1", "forced_up", T0);
      const got = (await store.getPool(FULL.name)) as unknown as {
        spec: { members: { id: string }[]; check: { port: number } };
        overrides: Record<string, string>;
      };
      got.spec.members[0]!.id = "evil";
      got.spec.check.port = 1;
      got.overrides["line-1"] = "forced_down";
      ((await store.listPools()) as unknown as { spec: { fallback: string[] } }[])[0]!.spec.fallback.push(
        "::",
      );
      expect(await store.getPool(FULL.name)).toStrictEqual({
        spec: FULL,
        overrides: { "line-1": "forced_up" },
        createdAt: T0,
        updatedAt: T0,
      });
    });

    it("stores names, member ids, nodes and reasons with quotes, SQL, unicode and 1,000 characters verbatim", async () => {
      const store = get();
      const odd = `it's "odd" \\ $1 --; drop table pools; 名前 🙂 ${"x".repeat(1_000)}`;
      const spec = poolFixture(odd, {
        members: [{ id: odd, address: "192.0.2.1", priority: 1, weight: 1 }],
        check: { type: "http", body: odd, host: odd, intervalMs: 10_000, timeoutMs: 3_000, rise: 2, fall: 3 },
      });
      await store.putPool(spec, T0);
      expect(await store.setOverride(odd, odd, "maintenance", T0)).toBe(true);
      expect(await store.getPool(odd)).toStrictEqual({
        spec,
        overrides: { [odd]: "maintenance" },
        createdAt: T0,
        updatedAt: T0,
      });
      await store.saveMemberHealth(odd, [state(odd, { pool: odd, lastReason: odd })], T0);
      expect((await store.listMemberHealth(odd))[0]).toMatchObject({
        member: odd,
        node: odd,
        lastReason: odd,
      });
      await store.appendTransitions([transition(odd, T0, { pool: odd, node: odd, reason: odd })]);
      expect((await store.listTransitions(odd, { limit: 1, member: odd }))[0]).toMatchObject({ reason: odd });
      await store.addRollups([rollup(odd, T0, { pool: odd, node: odd })]);
      expect(await store.listRollups(odd, 0)).toEqual([rollup(odd, T0, { pool: odd, node: odd })]);
      await store.recordHeartbeat(odd, T0);
      expect((await store.listHeartbeats()).get(odd)).toBe(T0);
      expect(await store.claimPublisher(odd, T0, 1_000)).toBe(true);
      expect(await store.claimPublisher("other", T0, 1_000)).toBe(false);
      // Nothing else was touched by the odd text.
      expect((await store.listPools()).map((p) => p.spec.name)).toEqual([odd]);
      expect(await store.getPool(`it's`)).toBeUndefined();
    });
  });
}
