import { describe, expect, it } from "vitest";
import type { HealthStatus, PoolSpec, Steering, WhenAllDown } from "../../core/pools.js";
import { steer } from "./steering.js";

const SPEC: PoolSpec = {
  name: "www.example.com",
  type: "A",
  steering: "failover",
  whenAllDown: "all",
  fallback: ["192.0.2.250"],
  maxAnswers: 8,
  ttlMin: 30,
  ttlMax: 60,
  check: { type: "tcp", port: 80, intervalMs: 10_000, timeoutMs: 3_000, rise: 2, fall: 3 },
  members: [],
};

/** A member: id, priority, weight, status, addresses. */
const m = (id: string, priority: number, weight: number, status: HealthStatus, ...addresses: string[]) => ({
  spec: { id, priority, weight, address: addresses[0] },
  addresses,
  status,
});

// Priority 1: a (2 addresses), b; priority 2: c; d has weight 0.
const members = (a: HealthStatus, b: HealthStatus, c: HealthStatus, d: HealthStatus = "down") => [
  m("a", 1, 2, a, "192.0.2.2", "192.0.2.1"),
  m("b", 1, 1, b, "192.0.2.3"),
  m("c", 2, 1, c, "192.0.2.4"),
  m("d", 2, 0, d, "192.0.2.5"),
];

const run = (
  steering: Steering,
  ms: ReturnType<typeof members>,
  extra: Partial<PoolSpec> = {},
  leader?: string,
) => steer({ spec: { ...SPEC, steering, ...extra }, members: ms, leader });

describe("steer", () => {
  it.each([
    [
      "failover: the best priority group",
      "failover",
      members("up", "up", "up"),
      ["192.0.2.1", "192.0.2.2", "192.0.2.3"],
    ],
    [
      "failover: unknown counts as usable",
      "failover",
      members("unknown", "down", "up"),
      ["192.0.2.1", "192.0.2.2"],
    ],
    ["failover: next group when the first is down", "failover", members("down", "down", "up"), ["192.0.2.4"]],
    [
      "all: every usable member",
      "all",
      members("up", "down", "up", "up"),
      ["192.0.2.1", "192.0.2.2", "192.0.2.4", "192.0.2.5"],
    ],
    [
      "weighted: weight 0 left out while others serve",
      "weighted",
      members("down", "down", "up", "up"),
      ["192.0.2.4"],
    ],
    [
      "weighted: weight 0 serves when alone",
      "weighted",
      members("down", "down", "down", "up"),
      ["192.0.2.5"],
    ],
    [
      "hashed: like weighted",
      "hashed",
      members("up", "up", "down", "up"),
      ["192.0.2.1", "192.0.2.2", "192.0.2.3"],
    ],
  ] as const)("%s", (_, steering, ms, values) => {
    const r = run(steering, ms);
    expect(r.values).toEqual(values);
    expect(r.allDown).toBe(false);
  });

  it("lists the usable members in spec order", () => {
    expect(run("failover", members("down", "unknown", "up", "up")).usable).toEqual(["b", "c", "d"]);
  });

  it("fastest: the leader when usable, else failover's answer", () => {
    expect(run("fastest", members("up", "up", "up"), {}, "c").values).toEqual(["192.0.2.4"]);
    expect(run("fastest", members("up", "up", "down"), {}, "c").values).toEqual([
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.3",
    ]);
    expect(run("fastest", members("up", "up", "up"), {}, undefined).values).toEqual([
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.3",
    ]);
    expect(run("fastest", members("up", "up", "up"), {}, "nobody").values).toEqual([
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.3",
    ]);
  });

  it.each([
    ["all", ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"]],
    ["first", ["192.0.2.1", "192.0.2.2", "192.0.2.3"]],
    ["fallback", ["192.0.2.250"]],
    ["nodata", []],
  ] as const)("every member down, whenAllDown %s", (whenAllDown: WhenAllDown, values) => {
    const r = run("failover", members("down", "down", "down"), { whenAllDown });
    expect(r).toEqual({ values, allDown: true, usable: [] });
  });

  it("a member without an address is not usable, and all-down 'first' passes over an empty group", () => {
    const ms = [m("empty", 1, 1, "up"), m("c", 2, 1, "down", "192.0.2.4")];
    expect(run("failover", ms, { whenAllDown: "first" })).toEqual({
      values: ["192.0.2.4"],
      allDown: true,
      usable: [],
    });
  });

  it("no members at all is all-down with the configured answer", () => {
    expect(run("all", [], { whenAllDown: "all" })).toEqual({ values: [], allDown: true, usable: [] });
    expect(run("all", [], { whenAllDown: "fallback" }).values).toEqual(["192.0.2.250"]);
  });

  it("caps at maxAnswers keeping members in spec order, then address order, and sorts the result", () => {
    const ms = [m("z", 1, 1, "up", "192.0.2.9", "192.0.2.8"), m("y", 1, 1, "up", "192.0.2.1", "192.0.2.0")];
    expect(run("all", ms, { maxAnswers: 3 }).values).toEqual(["192.0.2.1", "192.0.2.8", "192.0.2.9"]);
    expect(run("all", ms, { maxAnswers: 1 }).values).toEqual(["192.0.2.9"]);
  });

  it("canonicalises, deduplicates and drops addresses of the other family or not addresses at all", () => {
    const ms = [
      m("a", 1, 1, "up", " 192.0.2.1", "192.0.2.1", "2001:db8::1", "nonsense", ""),
      m("b", 1, 1, "up", "192.0.2.1"),
    ];
    expect(run("all", ms).values).toEqual(["192.0.2.1"]);
    const v6 = [m("a", 1, 1, "up", "2001:DB8:0:0::1", "192.0.2.1")];
    expect(steer({ spec: { ...SPEC, type: "AAAA", steering: "all" }, members: v6 }).values).toEqual([
      "2001:db8::1",
    ]);
    // A member whose only address is of the other family is not usable.
    expect(
      steer({ spec: { ...SPEC, type: "AAAA", steering: "all" }, members: [m("x", 1, 1, "up", "192.0.2.1")] }),
    ).toMatchObject({
      allDown: true,
      usable: [],
    });
  });
});
