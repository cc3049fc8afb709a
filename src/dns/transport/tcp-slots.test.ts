import { describe, expect, it } from "vitest";
import { SlotTable, type Slot } from "./tcp-slots.js";

/** Admits `name` and returns the names it evicted, with their reason. */
function admit(t: SlotTable<string>, name: string, network: string, privileged = false): string[] {
  return t.admit(name, network, privileged).evicted.map((e) => `${e.slot.item}:${e.reason}`);
}

describe("SlotTable", () => {
  it("a network at its limit loses its own idlest connection, never another network's", () => {
    const t = new SlotTable<string>({ total: 100, perNetwork: 3, reserved: 0 });
    const slots = new Map<string, Slot<string>>();
    for (const name of ["a1", "a2", "a3"]) slots.set(name, t.admit(name, "A", false).slot);
    admit(t, "b1", "B");
    t.touch(slots.get("a1")!); // a1 just answered: a2 is now the idlest of A
    expect(admit(t, "a4", "A")).toEqual(["a2:network_limit"]);
    expect(admit(t, "a5", "A")).toEqual(["a3:network_limit"]);
    expect(t.size).toBe(4);
  });

  it("a full table loses the idlest connection of the network holding the most, not the idlest overall", () => {
    const t = new SlotTable<string>({ total: 6, perNetwork: 4, reserved: 0 });
    admit(t, "lone", "L"); // the idlest connection of all, but its network holds only one
    for (const name of ["a1", "a2", "a3"]) admit(t, name, "A");
    for (const name of ["b1", "b2"]) admit(t, name, "B");
    expect(admit(t, "c1", "C")).toEqual(["a1:global_limit"]);
    // A and B hold two each now: the idlest of those four goes (a2, opened before b1), lone stays
    expect(admit(t, "c2", "C")).toEqual(["a2:global_limit"]);
    expect(admit(t, "c3", "C")).toEqual(["b1:global_limit"]);
    expect(t.size).toBe(6);
  });

  it("reserved slots go to privileged clients first; nobody else can take or close them", () => {
    const t = new SlotTable<string>({ total: 2, perNetwork: 10, reserved: 1 });
    const peer = t.admit("peer", "P", true);
    expect([peer.slot.reserved, peer.evicted]).toEqual([true, []]);
    admit(t, "x1", "X");
    admit(t, "x2", "X");
    // 300 newcomers from many networks churn the shared slots; the (idlest) peer stays
    for (let i = 0; i < 300; i++) expect(admit(t, `n${i}`, `N${i}`)).toHaveLength(1);
    expect(t.size).toBe(3);
    // a second privileged connection, with the reserved slot taken, competes for a shared one
    const second = t.admit("peer2", "Q", true);
    expect([second.slot.reserved, second.evicted.length]).toEqual([false, 1]);
  });

  it("the network limit counts reserved and shared slots together", () => {
    const t = new SlotTable<string>({ total: 10, perNetwork: 2, reserved: 1 });
    admit(t, "p1", "P", true);
    admit(t, "p2", "P", true);
    expect(admit(t, "p3", "P", true)).toEqual(["p1:network_limit"]);
    // p1's reserved slot was freed: p3 took it
    expect(t.size).toBe(2);
  });

  it("release forgets a closed connection once, and ignores one already evicted", () => {
    const t = new SlotTable<string>({ total: 1, perNetwork: 1, reserved: 0 });
    const a = t.admit("a", "A", false).slot;
    expect(admit(t, "b", "B")).toEqual(["a:global_limit"]);
    t.release(a); // the evicted socket's close event arrives later: no double count
    expect(t.size).toBe(1);
    const b = t.admit("c", "C", false).evicted[0]!.slot;
    t.release(b);
    t.release(b);
    expect(t.size).toBe(1);
  });
});
