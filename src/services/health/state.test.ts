import { describe, expect, it } from "vitest";
import type { HealthStatus, MemberHealth } from "../../core/pools.js";
import { effectiveStatus, initialHealth, observe, type StateChange } from "./state.js";

const CHECK = { rise: 2, fall: 3 };
const LETTER = { unknown: "?", up: "U", down: "D" } as const;

/** Feeds results ("+" success, "-" failure) one interval apart; returns the statuses and changes. */
function run(start: MemberHealth, results: string, check = CHECK) {
  let state = start;
  const statuses: HealthStatus[] = [];
  const changes: StateChange[] = [];
  [...results].forEach((r, i) => {
    const sample =
      r === "+"
        ? { ok: true, rttMs: 10, at: 1000 * (i + 1) }
        : { ok: false, reason: "timeout", at: 1000 * (i + 1) };
    const out = observe(state, sample, check);
    state = out.state;
    statuses.push(state.status);
    if (out.change) changes.push(out.change);
  });
  return { state, statuses: statuses.map((s) => LETTER[s]).join(""), changes };
}

const up: MemberHealth = { ...initialHealth("web.example.com", "a", 0), status: "up" };
const down: MemberHealth = { ...initialHealth("web.example.com", "a", 0), status: "down" };
const unknown = initialHealth("web.example.com", "a", 0);

describe("observe", () => {
  it("starts unknown with no streak", () => {
    expect(initialHealth("p.example.com", "m", 42)).toEqual({
      pool: "p.example.com",
      member: "m",
      status: "unknown",
      streak: 0,
      since: 42,
    });
  });

  // The status after each sample: ? unknown, U up, D down.
  it.each([
    ["up stays up below fall", up, "--", "UU"],
    ["up turns down at fall", up, "---", "UUD"],
    ["a success resets the failures", up, "--+--", "UUUUU"],
    ["flapping never reaches fall", up, "-+-+-+-+-+", "UUUUUUUUUU"],
    ["flapping two by two never reaches fall", up, "--+--+--+", "UUUUUUUUU"],
    ["down stays down below rise", down, "+", "D"],
    ["down turns up at rise", down, "++", "DU"],
    ["a failure resets the successes", down, "+-+-+-", "DDDDDD"],
    ["unknown: one success confirms it up", unknown, "+", "U"],
    ["unknown: fall failures bring it down", unknown, "---", "??D"],
    ["unknown: failures then a success → up", unknown, "--+", "??U"],
    ["down then back up then down", up, "---++---", "UUDDUUUD"],
    ["unknown, flapping: up at the first success, then stays up", unknown, "-+-+-+", "?UUUUU"],
  ])("%s", (_, start, results, expected) => {
    expect(run(start, results).statuses).toBe(expected);
  });

  it("unknown stays unknown (not up) while failures are below fall", () => {
    expect(run(unknown, "--").state.status).toBe("unknown");
    expect(run(unknown, "--").state.streak).toBe(2);
  });

  it("reports each change with its reason, resets the streak and moves since", () => {
    const r = run(up, "---++");
    expect(r.changes).toEqual([
      { from: "up", to: "down", reason: "3 failures: timeout" },
      { from: "down", to: "up", reason: "2 successes" },
    ]);
    expect(r.state).toMatchObject({ status: "up", streak: 0, since: 5000, lastProbeAt: 5000 });
    expect(r.state.lastReason).toBeUndefined();
  });

  it("unknown → up says 1 success, unknown → down counts the failures", () => {
    expect(run(unknown, "+").changes).toEqual([{ from: "unknown", to: "up", reason: "1 success" }]);
    expect(run(unknown, "---").changes).toEqual([
      { from: "unknown", to: "down", reason: "3 failures: timeout" },
    ]);
    expect(run(up, "-", { rise: 1, fall: 1 }).changes).toEqual([
      { from: "up", to: "down", reason: "1 failure: timeout" },
    ]);
    expect(run(down, "+", { rise: 1, fall: 1 }).changes).toEqual([
      { from: "down", to: "up", reason: "1 success" },
    ]);
  });

  it("does not move since nor report a change without a status change", () => {
    const r = run(up, "--+");
    expect(r.changes).toEqual([]);
    expect(r.state.since).toBe(0);
    expect(r.state.lastProbeAt).toBe(3000);
  });

  it("keeps the last failure's reason until a success clears it; a reasonless failure says failed", () => {
    const failed = observe(up, { ok: false, at: 1 }, CHECK).state;
    expect(failed.lastReason).toBe("failed");
    const refused = observe(failed, { ok: false, reason: "refused", at: 2 }, CHECK).state;
    expect(refused.lastReason).toBe("refused");
    expect(observe(refused, { ok: true, at: 3 }, CHECK).state.lastReason).toBeUndefined();
  });

  it("smooths the RTT of successful samples (α 0.3), the first one setting it", () => {
    let s = observe(up, { ok: true, rttMs: 100, at: 1 }, CHECK).state;
    expect(s.rttMs).toBe(100);
    s = observe(s, { ok: true, rttMs: 200, at: 2 }, CHECK).state;
    expect(s.rttMs).toBeCloseTo(130);
    s = observe(s, { ok: false, rttMs: 5000, reason: "timeout", at: 3 }, CHECK).state;
    expect(s.rttMs).toBeCloseTo(130);
    s = observe(s, { ok: true, at: 4 }, CHECK).state;
    expect(s.rttMs).toBeCloseTo(130);
  });

  it.each([NaN, Infinity, -1])("ignores an RTT of %s", (rttMs) => {
    const s = observe(up, { ok: true, rttMs: 50, at: 1 }, CHECK).state;
    expect(observe(s, { ok: true, rttMs, at: 2 }, CHECK).state.rttMs).toBe(50);
    expect(observe(unknown, { ok: true, rttMs, at: 2 }, CHECK).state.rttMs).toBeUndefined();
  });

  it("never mutates the state it is given", () => {
    const frozen = Object.freeze({ ...up });
    observe(frozen, { ok: false, reason: "x", at: 9 }, CHECK);
    expect(frozen).toEqual(up);
  });
});

describe("effectiveStatus", () => {
  it.each([
    ["up", "none", "up"],
    ["down", "none", "down"],
    ["unknown", "none", "unknown"],
    ["down", "forced_up", "up"],
    ["unknown", "forced_up", "up"],
    ["up", "forced_down", "down"],
    ["up", "maintenance", "down"],
    ["unknown", "maintenance", "down"],
  ] as const)("%s with %s → %s", (status, override, expected) => {
    expect(effectiveStatus(status, override)).toBe(expected);
  });
});
