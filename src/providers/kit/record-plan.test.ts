import { describe, expect, it } from "vitest";
import { isEmptyPlan, planRecords } from "./record-plan.js";

const r = (id: string, value: string, ttl = 300) => ({ id, value, ttl });

describe("planRecords", () => {
  it("nothing to do when the records already hold the values and TTL", () => {
    expect(
      isEmptyPlan(planRecords([r("a", "1.1.1.1"), r("b", "2.2.2.2")], ["1.1.1.1", "2.2.2.2"], 300)),
    ).toBe(true);
  });

  it("reuses a record for a new value instead of delete + create", () => {
    expect(planRecords([r("a", "1.1.1.1")], ["2.2.2.2"], 300)).toEqual({
      updates: [{ id: "a", value: "2.2.2.2", ttl: 300 }],
      creates: [],
      deletes: [],
    });
  });

  it("creates what is missing and deletes what is left over", () => {
    expect(planRecords([], ["1.1.1.1", "2.2.2.2"], 60)).toEqual({
      updates: [],
      creates: ["1.1.1.1", "2.2.2.2"],
      deletes: [],
    });
    expect(planRecords([r("a", "1.1.1.1"), r("b", "2.2.2.2"), r("c", "3.3.3.3")], ["2.2.2.2"], 300)).toEqual({
      updates: [],
      creates: [],
      deletes: ["a", "c"],
    });
  });

  it("a TTL change updates the kept records; duplicates held by the vendor are removed", () => {
    expect(planRecords([r("a", "1.1.1.1"), r("b", "1.1.1.1")], ["1.1.1.1"], 120)).toEqual({
      updates: [{ id: "a", value: "1.1.1.1", ttl: 120 }],
      creates: [],
      deletes: ["b"],
    });
  });
});
