// The host-identity and bounded-history part of the Store contract (called from runStoreContract):
// hosts get ids that are never given again; deleting a host revokes the tokens made for it; history
// belongs to the host that had the name; repeats fold into one entry; retention by count (in the
// commit) and by age (pruneHistory, bounded); an implicit host goes with its last record set.

import { describe, expect, it } from "vitest";

import type { ChangeBatch, HistoryEntry, RRSetWrite } from "../types.js";
import type { HistoryStore, MirrorStore, TokenStore, ZoneStore } from "../ports.js";
import { HISTORY_FOLD_WINDOW_MS } from "../types.js";
import { historyFixture, hostFixture, T0, tokenFixture, zoneFixture } from "./fixtures.js";

const A = "a.example.com";
const B = "b.example.com";

function setA(fqdn: string, values: string[] | null): RRSetWrite {
  return { fqdn, type: "A", rrset: values === null ? null : { ttl: 60, values } };
}

function batch(history: HistoryEntry[], extra: Partial<ChangeBatch> = {}): ChangeBatch {
  return { writes: [], history, at: T0, ...extra };
}

/** A nochg entry as a client repeating itself sends it; `at` and overrides vary. */
function nochg(at: number, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return historyFixture(A, {
    oldValues: ["192.0.2.1"],
    newValues: ["192.0.2.1"],
    outcome: "nochg",
    at,
    ...extra,
  });
}

export function historyContract(get: () => HistoryStore & ZoneStore & MirrorStore & TokenStore): void {
  async function seed(): Promise<HistoryStore & ZoneStore & MirrorStore & TokenStore> {
    const store = get();
    await store.createZone(zoneFixture("example.com"));
    await store.createHost(hostFixture(A, "example.com"));
    await store.createHost(hostFixture(B, "example.com"));
    return store;
  }

  describe("host identity", () => {
    it("gives each new host an id never given before, even after the newest host was deleted", async () => {
      const store = await seed();
      const a = await store.getHost(A);
      const b = await store.getHost(B);
      expect(a?.id).toBeTypeOf("number");
      expect(b!.id).toBeGreaterThan(a!.id);
      expect(await store.deleteHost(B)).toBe(true);
      const again = await store.createHost(hostFixture(B, "example.com"));
      expect(again.id).toBeGreaterThan(b!.id);
      expect((await store.getHost(B))?.id).toBe(again.id);
      expect(again.implicit).toBe(false);
      const implicit = await store.createHost(
        hostFixture("c.example.com", "example.com", { implicit: true }),
      );
      expect((await store.getHost("c.example.com"))?.implicit).toBe(true);
      expect(implicit.id).toBeGreaterThan(again.id);
    });

    it("revokes the tokens made for a deleted host, and no other token", async () => {
      const store = await seed();
      const a = (await store.getHost(A))!;
      const b = (await store.getHost(B))!;
      await store.createToken(
        tokenFixture("tk_bound", { hostId: a.id, names: [{ name: A, subtree: false }] }),
      );
      await store.createToken(tokenFixture("tk_gone", { hostId: a.id, revokedAt: T0 + 1 }));
      await store.createToken(tokenFixture("tk_named", { names: [{ name: A, subtree: false }] }));
      await store.createToken(tokenFixture("tk_other", { hostId: b.id }));
      expect((await store.getToken("tk_bound"))?.hostId).toBe(a.id);
      expect((await store.getToken("tk_named"))?.hostId).toBeUndefined();

      await store.deleteHost(A, T0 + 50);
      expect((await store.getToken("tk_bound"))?.revokedAt).toBe(T0 + 50);
      expect((await store.getToken("tk_gone"))?.revokedAt).toBe(T0 + 1);
      expect((await store.getToken("tk_named"))?.revokedAt).toBeUndefined();
      expect((await store.getToken("tk_other"))?.revokedAt).toBeUndefined();

      await store.deleteZone("example.com", { cascade: true });
      expect((await store.getToken("tk_other"))?.revokedAt).toBeTypeOf("number");
      expect((await store.getToken("tk_named"))?.revokedAt).toBeUndefined();
    });

    it("writes history for the host that has the name, and lists by host or by name", async () => {
      const store = await seed();
      const first = (await store.getHost(A))!;
      await store.commit(batch([historyFixture(A, { userAgent: "old owner" })]));
      await store.deleteHost(A);
      // A refused change while no host has the name belongs to no host.
      await store.commit(batch([historyFixture(A, { outcome: "host_not_found", userAgent: "between" })]));
      const second = await store.createHost(hostFixture(A, "example.com"));
      await store.commit(batch([historyFixture(A, { userAgent: "new owner" })]));

      const mine = await store.listHistory(A, { hostId: second.id });
      expect(mine.map((e) => [e.userAgent, e.hostId])).toEqual([["new owner", second.id]]);
      const theirs = await store.listHistory(A, { hostId: first.id });
      expect(theirs.map((e) => e.userAgent)).toEqual(["old owner"]);
      const all = await store.listHistory(A);
      expect(all.map((e) => [e.userAgent, e.hostId])).toEqual([
        ["new owner", second.id],
        ["between", undefined],
        ["old owner", first.id],
      ]);
      expect(await store.listHistory(A, { hostId: second.id, before: mine[0]!.id })).toEqual([]);
    });
  });

  describe("folding repeats", () => {
    it("folds an identical nochg into the latest entry of its type: count and lastAt, no new id", async () => {
      const store = await seed();
      await store.commit(batch([nochg(T0)]));
      // Another type in between does not stop the fold: it is the latest entry of type A that counts.
      await store.commit(batch([historyFixture(A, { type: "AAAA", newValues: ["2001:db8::1"] })]));
      await store.commit(batch([nochg(T0 + 10), nochg(T0 + 20)]));
      const [aaaa, a] = await store.listHistory(A);
      expect(aaaa?.type).toBe("AAAA");
      expect(a).toMatchObject({ type: "A", outcome: "nochg", at: T0, lastAt: T0 + 20, count: 3 });
      expect(await store.listHistory(A)).toHaveLength(2);
    });

    it("starts a new entry when anything but the time differs, for a change, or after the fold window", async () => {
      const store = await seed();
      const variants: HistoryEntry[] = [
        nochg(T0),
        nochg(T0 + 1, { userAgent: "other agent" }),
        nochg(T0 + 2, { sourceIp: "192.0.2.99" }),
        nochg(T0 + 3, { tokenId: "tk_other" }),
        nochg(T0 + 4, { protocol: "api" }),
        nochg(T0 + 5, { oldValues: ["192.0.2.2"], newValues: ["192.0.2.2"] }),
        nochg(T0 + 6, { outcome: "ip_not_global", newValues: ["10.0.0.1"] }),
        historyFixture(A, { at: T0 + 7 }),
        historyFixture(A, { at: T0 + 8 }),
        nochg(T0 + 9),
        nochg(T0 + 9 + HISTORY_FOLD_WINDOW_MS),
      ];
      for (const e of variants) await store.commit(batch([e]));
      const listed = await store.listHistory(A);
      expect(listed).toHaveLength(variants.length);
      expect(listed.every((e) => e.count === 1)).toBe(true);
    });

    it("folds repeated refusals too, and never entries of a name that is no host", async () => {
      const store = await seed();
      const refused = (at: number) => nochg(at, { outcome: "ip_not_global", newValues: ["10.0.0.1"] });
      await store.commit(batch([refused(T0), refused(T0 + 1)]));
      expect((await store.listHistory(A)).map((e) => e.count)).toEqual([2]);
      const ghost = (at: number) => historyFixture("ghost.example.com", { outcome: "host_not_found", at });
      await store.commit(batch([ghost(T0), ghost(T0 + 1)]));
      expect(await store.listHistory("ghost.example.com")).toHaveLength(2);
    });
  });

  describe("retention", () => {
    it("keeps each host that got new entries to its newest keepPerHost, in the same commit", async () => {
      const store = await seed();
      const many = (fqdn: string, n: number, from: number) =>
        Array.from({ length: n }, (_, i) =>
          historyFixture(fqdn, { at: from + i, newValues: [`192.0.2.${i}`] }),
        );
      await store.commit(batch([...many(A, 8, T0), ...many(B, 8, T0)]));
      await store.commit(batch(many(A, 3, T0 + 100), { keepPerHost: 5 }));
      expect((await store.listHistory(A)).map((e) => e.at)).toEqual([
        T0 + 102,
        T0 + 101,
        T0 + 100,
        T0 + 7,
        T0 + 6,
      ]);
      // B got no new entry in that commit: untouched.
      expect(await store.listHistory(B)).toHaveLength(8);
      // A folded repeat adds no row, so it trims nothing either.
      await store.commit(batch([nochg(T0 + 200), nochg(T0 + 201)], { keepPerHost: 1 }));
      expect((await store.listHistory(A)).map((e) => [e.outcome, e.count])).toEqual([["nochg", 2]]);
    });

    it("prunes by age only among the oldest `limit` entries and says how many it deleted", async () => {
      const store = await seed();
      const at = [T0, T0 + 1, T0 + 2, T0 + 1000, T0 + 3];
      for (const t of at)
        await store.commit(batch([historyFixture(A, { at: t, newValues: [`192.0.2.${t - T0}`] })]));
      // The 3 oldest are examined: all older than T0 + 500.
      expect(await store.pruneHistory(T0 + 500, 3)).toBe(3);
      // Now the oldest two are T0+1000 (kept) and T0+3 (deleted).
      expect(await store.pruneHistory(T0 + 500, 2)).toBe(1);
      expect((await store.listHistory(A)).map((e) => e.at)).toEqual([T0 + 1000]);
      expect(await store.pruneHistory(T0 + 500, 10)).toBe(0);
      expect(await store.pruneHistory(T0 + 2000, 0)).toBe(0);
    });

    it("judges a folded entry by its lastAt", async () => {
      const store = await seed();
      await store.commit(batch([nochg(T0), nochg(T0 + 100)]));
      expect(await store.pruneHistory(T0 + 50, 10)).toBe(0);
      expect(await store.pruneHistory(T0 + 101, 10)).toBe(1);
    });
  });

  describe("implicit hosts", () => {
    async function withImplicit(store: ZoneStore): Promise<void> {
      await store.createHost(hostFixture("_acme.a.example.com", "example.com", { implicit: true }));
      await store.commit({
        writes: [{ fqdn: "_acme.a.example.com", type: "TXT", rrset: { ttl: 60, values: ["t1"] } }],
        history: [],
        at: T0,
      });
    }

    it("deletes an implicit host in the commit that deletes its last set, with the set's mirror delete", async () => {
      const store = await seed();
      await store.createMirror({
        id: "m1",
        zone: "example.com",
        provider: "fake",
        settings: {},
        createdAt: T0,
      });
      await withImplicit(store);
      const serial = (await store.getZone("example.com"))!.serial;
      const result = await store.commit({
        writes: [{ fqdn: "_acme.a.example.com", type: "TXT", rrset: null }],
        history: [
          historyFixture("_acme.a.example.com", { type: "TXT", outcome: "deleted", newValues: undefined }),
        ],
        at: T0 + 5,
      });
      expect(result.removedHosts).toEqual(new Map([["_acme.a.example.com", "example.com"]]));
      expect(result.serials.get("example.com")).toBe((await store.getZone("example.com"))!.serial);
      expect((await store.getZone("example.com"))!.serial).not.toBe(serial);
      expect(await store.getHost("_acme.a.example.com")).toBeUndefined();
      expect((await store.snapshot()).hosts.map((h) => h.fqdn)).toEqual([A, B]);
      // Its history stays; the mirror is told to delete the set.
      expect(await store.listHistory("_acme.a.example.com")).toHaveLength(1);
      const outbox = await store.pendingOutbox("m1", 10);
      expect(outbox.at(-1)).toMatchObject({ fqdn: "_acme.a.example.com", type: "TXT", rrset: null });
    });

    it("keeps an implicit host with a set left, and never deletes an explicit host", async () => {
      const store = await seed();
      await withImplicit(store);
      await store.commit({
        writes: [
          { fqdn: "_acme.a.example.com", type: "A", rrset: { ttl: 60, values: ["192.0.2.1"] } },
          setA(A, ["192.0.2.1"]),
        ],
        history: [],
        at: T0,
      });
      const result = await store.commit({
        writes: [{ fqdn: "_acme.a.example.com", type: "TXT", rrset: null }, setA(A, null)],
        history: [],
        at: T0 + 1,
      });
      expect(result.removedHosts.size).toBe(0);
      expect(await store.getHost("_acme.a.example.com")).toBeDefined();
      expect(await store.getHost(A)).toBeDefined();
      expect(await store.getRRSets(A)).toEqual([]);
      // A delete and an add of the same set in one batch: the set is there, the host stays.
      await store.commit({
        writes: [
          { fqdn: "_acme.a.example.com", type: "A", rrset: null },
          { fqdn: "_acme.a.example.com", type: "A", rrset: { ttl: 60, values: ["192.0.2.2"] } },
        ],
        history: [],
        at: T0 + 2,
      });
      expect(await store.getHost("_acme.a.example.com")).toBeDefined();
    });
  });
}
