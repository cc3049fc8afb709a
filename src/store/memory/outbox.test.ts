import { describe, expect, it } from "vitest";

import { T0 } from "../testing/fixtures.js";
import { MemoryOutbox } from "./outbox.js";

const set = (fqdn: string, values: string[] | null) => ({
  fqdn,
  type: "A" as const,
  rrset: values === null ? null : { ttl: 60, values },
});

describe("MemoryOutbox", () => {
  it("numbers rows across mirrors in order, never reusing a seq, and removes only the mirror's own", () => {
    const outbox = new MemoryOutbox();
    outbox.append("m1", set("a.example.com", ["192.0.2.1"]), T0);
    outbox.append("m2", set("a.example.com", ["192.0.2.1"]), T0);
    outbox.append("m1", set("b.example.com", null), T0 + 1);
    expect(outbox.of("m1").map((r) => [r.seq, r.fqdn, r.rrset])).toEqual([
      [1, "a.example.com", { ttl: 60, values: ["192.0.2.1"] }],
      [3, "b.example.com", null],
    ]);
    // seq 2 is m2's: asking m1 to remove it removes nothing.
    expect(outbox.remove("m1", [1, 2, 99])).toBe(1);
    expect(outbox.of("m2").map((r) => r.seq)).toEqual([2]);
    outbox.dropMirror("m2");
    expect(outbox.of("m2")).toEqual([]);
    outbox.append("m2", set("c.example.com", ["192.0.2.3"]), T0 + 2);
    expect(outbox.of("m2").map((r) => r.seq)).toEqual([4]);
  });

  it("copies the values it is given", () => {
    const outbox = new MemoryOutbox();
    const values = ["192.0.2.1"];
    outbox.append("m1", set("a.example.com", values), T0);
    values.push("203.0.113.66");
    expect(outbox.of("m1")[0]?.rrset?.values).toEqual(["192.0.2.1"]);
  });
});
