import { describe, expect, it } from "vitest";

import type { OutboxEntry } from "../../store/types.js";
import { coalesce } from "./coalesce.js";

function row(seq: number, fqdn: string, value: string | null, type: OutboxEntry["type"] = "A"): OutboxEntry {
  return {
    seq,
    mirror: "m",
    fqdn,
    type,
    rrset: value === null ? null : { ttl: 60, values: [value] },
    createdAt: seq,
  };
}

describe("coalesce", () => {
  it("is empty for no rows", () => {
    expect(coalesce([])).toEqual([]);
  });

  it("keeps only the newest row per (fqdn, type), acking every seq of the key", () => {
    const out = coalesce([
      row(1, "a.x", "192.0.2.1"),
      row(2, "b.x", "192.0.2.10"),
      row(3, "a.x", "192.0.2.2"),
      row(4, "a.x", "t", "TXT"),
      row(5, "a.x", null),
    ]);
    expect(out.map((d) => [d.entry.seq, d.seqs])).toEqual([
      [2, [2]],
      [4, [4]],
      [5, [1, 3, 5]],
    ]);
    expect(out[2]?.entry.rrset).toBeNull();
  });

  it("orders deliveries by the seq of each key's newest row", () => {
    const out = coalesce([row(10, "a.x", "1.1.1.1"), row(11, "b.x", "1.1.1.2"), row(12, "a.x", "1.1.1.3")]);
    expect(out.map((d) => d.entry.fqdn)).toEqual(["b.x", "a.x"]);
    expect(out[1]?.entry.rrset?.values).toEqual(["1.1.1.3"]);
  });

  it("keeps a delete followed by a re-create as the re-create", () => {
    const out = coalesce([row(1, "a.x", null), row(2, "a.x", "192.0.2.9")]);
    expect(out).toHaveLength(1);
    expect(out[0]?.entry.rrset?.values).toEqual(["192.0.2.9"]);
    expect(out[0]?.seqs).toEqual([1, 2]);
  });
});
