// A zone's IXFR history: pending changes fold and cancel, an advancing serial closes them into one
// diff, anything unexplained forgets, and `since` answers only an unbroken chain.

import { describe, expect, it } from "vitest";
import { ZoneHistory } from "./history.js";
import type { XfrRecord } from "./records.js";

const rec = (name: string, last: number): XfrRecord => ({
  name,
  owner: new Uint8Array([0]),
  type: 1,
  ttl: 60,
  rdata: new Uint8Array([192, 0, 2, last]),
});
const soa = (serial: number) => new Uint8Array([serial]);
const names = (list: readonly XfrRecord[]) => list.map((r) => `${r.name}/${r.rdata[3]}`);

function advanced(history: ZoneHistory, from: number, to: number): void {
  history.advance(from, soa(from), to, soa(to));
}

describe("ZoneHistory", () => {
  it("closes the pending changes into one diff when the serial advances", () => {
    const h = new ZoneHistory(10);
    h.note([rec("a", 1)], [rec("a", 2)]);
    h.note([], [rec("b", 3)]);
    advanced(h, 1, 2);
    const [diff] = h.since(1, 2)!;
    expect([diff!.from, diff!.to, [...diff!.oldSoa], [...diff!.newSoa]]).toEqual([1, 2, [1], [2]]);
    expect([names(diff!.removed), names(diff!.added)]).toEqual([["a/1"], ["a/2", "b/3"]]);
    expect(h.hasPending).toBe(false);
  });

  it("cancels an RR removed and added back (or added and removed) within a window", () => {
    const h = new ZoneHistory(10);
    h.note([rec("a", 1)], [rec("b", 2)]);
    h.note([rec("b", 2)], [rec("a", 1)]);
    expect(h.hasPending).toBe(false);
    advanced(h, 1, 2);
    expect(h.since(1, 2)?.map((d) => d.removed.length + d.added.length)).toEqual([0]);
  });

  it.each([
    ["a serial going back", 5, 4],
    ["the same serial while changes are pending", 5, 5],
  ])("forgets every diff on %s", (_why, from, to) => {
    const h = new ZoneHistory(10);
    advanced(h, 4, 5);
    expect(h.since(4, 5)).toHaveLength(1);
    h.note([], [rec("x", 9)]);
    advanced(h, from, to);
    expect(h.since(4, to)).toEqual(to === 4 ? [] : undefined);
    expect(h.hasPending).toBe(false);
  });

  it("keeps its diffs when the serial stays put with nothing pending", () => {
    const h = new ZoneHistory(10);
    advanced(h, 1, 2);
    advanced(h, 2, 2);
    expect(h.since(1, 2)).toHaveLength(1);
  });

  it("keeps at most max diffs, and covers only serials it has a chain from", () => {
    const h = new ZoneHistory(2);
    for (let s = 1; s <= 3; s++) advanced(h, s, s + 1);
    expect(h.since(1, 4)).toBeUndefined();
    expect(h.since(2, 4)?.map((d) => d.to)).toEqual([3, 4]);
    expect(h.since(4, 4)).toEqual([]);
    expect(h.since(5, 4)).toEqual([]); // newer than ours: nothing to send
    expect(h.since(3, 5)).toBeUndefined(); // the chain does not reach the current serial
  });

  it("dropPending keeps the diffs and forgets the window", () => {
    const h = new ZoneHistory(10);
    advanced(h, 1, 2);
    h.note([], [rec("a", 1)]);
    h.dropPending();
    advanced(h, 2, 3);
    expect(h.since(1, 3)?.map((d) => d.added.length)).toEqual([0, 0]);
  });
});
