import { describe, expect, it } from "vitest";
import { formatRate, gcraStep, parseRate, type Rate } from "./rate.js";

const MIN = 60_000;

describe("parseRate / formatRate", () => {
  it.each([
    ["2/2m", { limit: 2, periodMs: 2 * MIN }],
    ["30/1s", { limit: 30, periodMs: 1_000 }],
    [" 300 / 1d ", { limit: 300, periodMs: 86_400_000 }],
    ["15/m", { limit: 15, periodMs: MIN }],
    ["150/7d", { limit: 150, periodMs: 7 * 86_400_000 }],
  ])("reads %j", (text, rate) => {
    expect(parseRate(text)).toEqual(rate);
  });

  it.each([
    "",
    "2",
    "2/",
    "/1m",
    "0/1m",
    "2/0s",
    "-1/1m",
    "2/1w",
    "2/1.5m",
    "1e3/1m",
    "2/400d",
    "x".repeat(10_000),
  ])("refuses %j", (text) => {
    expect(parseRate(text)).toBeUndefined();
  });

  it.each(["2/2m", "30/1s", "300/1d", "100/1h", "150/7d", "3/90s"])("writes %s back as given", (text) => {
    expect(formatRate(parseRate(text)!)).toBe(text);
  });
});

describe("gcraStep", () => {
  const twoPerTwoMinutes: Rate = { limit: 2, periodMs: 2 * MIN };

  function run(rate: Rate, times: readonly number[]) {
    let tat: number | undefined;
    return times.map((now) => {
      const r = gcraStep(tat, rate, now);
      if (r.ok) tat = r.tat;
      return r.ok ? "ok" : r.waitMs;
    });
  }

  it("allows the burst, then one per period/limit", () => {
    expect(run(twoPerTwoMinutes, [0, 0, 0, MIN - 1, MIN, MIN, 2 * MIN])).toEqual([
      "ok",
      "ok",
      MIN,
      1,
      "ok",
      MIN,
      "ok",
    ]);
  });

  it("refills completely after a quiet period", () => {
    expect(run(twoPerTwoMinutes, [0, 0, 10 * MIN, 10 * MIN, 10 * MIN])).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      MIN,
    ]);
  });

  it("never asks to wait more than period/limit when the clock went back", () => {
    const day = 86_400_000;
    const r = gcraStep(day + 2 * MIN, twoPerTwoMinutes, 0);
    expect(r).toEqual({ ok: false, waitMs: MIN });
    const hourly: Rate = { limit: 100, periodMs: 60 * MIN };
    expect(gcraStep(365 * day, hourly, 0)).toEqual({ ok: false, waitMs: 36_000 });
  });
});
