import { describe, expect, it } from "vitest";
import { TYPE } from "../wire/constants.js";
import { memberId } from "./catalog.js";
import { CatalogZone, withCatalog } from "./catalog-zone.js";
import type { TransferSource } from "./journal.js";

const CAT = "catalog.beacon.invalid";
const A = { name: "a.example", createdAt: 1 };
const B = { name: "b.example", createdAt: 2 };

const ptrOwners = (records: readonly { name: string; type: number }[]) =>
  records.filter((r) => r.type === TYPE.PTR).map((r) => r.name);
const owner = (m: typeof A) => `${memberId(m)}.zones.${CAT}`;

describe("CatalogZone", () => {
  it("does not exist until published", () => {
    const cat = new CatalogZone(CAT);
    expect(cat.zone()).toBeUndefined();
    expect(cat.diffsSince(1)).toBeUndefined();
    expect(cat.serial).toBeUndefined();
  });

  it("serves what was published under the serial given, TTL 0", () => {
    const cat = new CatalogZone(CAT);
    expect(cat.publish(7, [A])).toBe(true);
    const z = cat.zone()!;
    expect([z.name, z.serial, z.ttl]).toEqual([CAT, 7, 0]);
    expect(ptrOwners(z.records())).toEqual([owner(A)]);
  });

  it("ignores a serial that is not newer (reads finishing out of order)", () => {
    const cat = new CatalogZone(CAT);
    cat.publish(7, [A]);
    expect(cat.publish(7, [A, B])).toBe(false);
    expect(cat.publish(6, [])).toBe(false);
    expect(cat.zone()?.serial).toBe(7);
    expect(ptrOwners(cat.zone()!.records())).toEqual([owner(A)]);
  });

  it("each publish is one IXFR diff: a zone added, then one removed", () => {
    const cat = new CatalogZone(CAT);
    cat.publish(7, [A]);
    cat.publish(9, [A, B]);
    cat.publish(12, [B]);
    const diffs = cat.diffsSince(7)!;
    expect(diffs.map((d) => [d.from, d.to])).toEqual([
      [7, 9],
      [9, 12],
    ]);
    expect([ptrOwners(diffs[0]!.removed), ptrOwners(diffs[0]!.added)]).toEqual([[], [owner(B)]]);
    expect([ptrOwners(diffs[1]!.removed), ptrOwners(diffs[1]!.added)]).toEqual([[owner(A)], []]);
    expect(cat.diffsSince(12)).toEqual([]);
    expect(cat.diffsSince(8)).toBeUndefined(); // no serial 8 was served: a full transfer
  });

  it("a serial that changes with the same list is an empty diff (pruned log), still a new SOA", () => {
    const cat = new CatalogZone(CAT);
    cat.publish(7, [A]);
    cat.publish(8, [A]);
    expect(cat.diffsSince(7)).toMatchObject([{ from: 7, to: 8, removed: [], added: [] }]);
  });
});

describe("withCatalog", () => {
  const zones: TransferSource = {
    zone: (name) => (name === "a.example" ? { name, serial: 3 } : undefined) as never,
    diffsSince: (name) => (name === "a.example" ? [] : undefined),
  };

  it("answers the catalog's name from the catalog and every other name from the zones", () => {
    const cat = new CatalogZone(CAT);
    cat.publish(5, [A]);
    const source = withCatalog(zones, cat);
    expect(source.zone(CAT)?.serial).toBe(5);
    expect(source.zone("a.example")?.serial).toBe(3);
    expect(source.zone("b.example")).toBeUndefined();
    expect(source.diffsSince(CAT, 5)).toEqual([]);
    expect(source.diffsSince("a.example", 1)).toEqual([]);
  });

  it("is the zones themselves without a catalog", () => {
    expect(withCatalog(zones, undefined)).toBe(zones);
  });
});
