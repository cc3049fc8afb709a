// The mirror and outbox part of the Store contract (called from runStoreContract). The outbox is the
// promise behind mirroring: a row exists exactly when its change committed, rows come back by seq,
// and only acknowledged rows go away. The lease makes one node at a time deliver a mirror, and
// fences the writes that record a delivery: a node whose lease was taken over records nothing. A
// delivery made twice (a holder stalled past its lease, then resumed) is harmless, as every vendor
// write is an idempotent upsert or delete of a whole set; no row is ever lost.

import { describe, expect, it } from "vitest";

import type { MirrorTarget, OutboxEntry } from "../types.js";
import type { MirrorStore, ZoneStore } from "../ports.js";
import { expectCode, historyFixture, hostFixture, setA, T0, zoneFixture } from "./fixtures.js";

function mirror(id: string, zone: string, extra: Partial<MirrorTarget> = {}): MirrorTarget {
  return {
    id,
    zone,
    provider: "cloudflare",
    settings: { api_token_file: "/run/secrets/cf", zone_id: "z1", port: 5353, nested: { a: [1, "b"] } },
    createdAt: T0,
    ...extra,
  };
}

/** The interesting fields of rows, without seq. */
const shape = (rows: OutboxEntry[]) =>
  rows.map((r) => ({ fqdn: r.fqdn, type: r.type, rrset: r.rrset, at: r.createdAt }));

export function mirrorContract(get: () => MirrorStore & ZoneStore): void {
  describe("mirrors and outbox", () => {
    let store: MirrorStore & ZoneStore;

    /** example.com (hosts a, b) mirrored by m1 and m2; example.net (host c) mirrored by n1. */
    async function seed(): Promise<void> {
      store = get();
      await store.createZone(zoneFixture("example.com"));
      await store.createZone(zoneFixture("example.net"));
      await store.createHost(hostFixture("a.example.com", "example.com"));
      await store.createHost(hostFixture("b.example.com", "example.com"));
      await store.createHost(hostFixture("c.example.net", "example.net"));
      await store.createMirror(mirror("m2", "example.com"));
      await store.createMirror(mirror("m1", "example.com"));
      await store.createMirror(mirror("n1", "example.net"));
    }

    it("creates, gets, lists (sorted, by zone) and deletes mirrors, settings as given", async () => {
      await seed();
      expect(await store.getMirror("m1")).toEqual(mirror("m1", "example.com"));
      expect(await store.getMirror("zz")).toBeUndefined();
      expect((await store.listMirrors()).map((m) => m.id)).toEqual(["m1", "m2", "n1"]);
      expect((await store.listMirrors("example.com")).map((m) => m.id)).toEqual(["m1", "m2"]);
      expect(await store.listMirrors("nowhere.example")).toEqual([]);
      expect(await store.deleteMirror("m2")).toBe(true);
      expect(await store.deleteMirror("m2")).toBe(false);
      expect((await store.listMirrors()).map((m) => m.id)).toEqual(["m1", "n1"]);
    });

    it("refuses a mirror of a missing zone and a duplicate id, keeping the original", async () => {
      await seed();
      await expectCode(store.createMirror(mirror("x", "missing.example")), "zone_not_found");
      await expectCode(
        store.createMirror(mirror("m1", "example.net", { provider: "other" })),
        "mirror_exists",
      );
      expect(await store.getMirror("m1")).toEqual(mirror("m1", "example.com"));
      expect(await store.getMirror("x")).toBeUndefined();
    });

    it("returns copies of mirrors", async () => {
      await seed();
      const m = (await store.getMirror("m1")) as { settings: Record<string, unknown> } | undefined;
      if (m !== undefined) m.settings["zone_id"] = "evil";
      expect((await store.getMirror("m1"))?.settings["zone_id"]).toBe("z1");
    });

    it("commit writes one row per write and mirror of its zone, in order, with the batch time", async () => {
      await seed();
      await store.commit({
        writes: [
          setA("a.example.com", ["192.0.2.1", "192.0.2.2"], 30),
          { fqdn: "c.example.net", type: "TXT", rrset: { ttl: 90, values: ["t"] } },
          { fqdn: "b.example.com", type: "AAAA", rrset: null },
        ],
        history: [historyFixture("a.example.com")],
        at: T0 + 7,
      });
      const expected = [
        {
          fqdn: "a.example.com",
          type: "A",
          rrset: { ttl: 30, values: ["192.0.2.1", "192.0.2.2"] },
          at: T0 + 7,
        },
        { fqdn: "b.example.com", type: "AAAA", rrset: null, at: T0 + 7 },
      ];
      const m1 = await store.pendingOutbox("m1", 100);
      expect(shape(m1)).toEqual(expected);
      expect(m1.every((r) => r.mirror === "m1")).toBe(true);
      expect(shape(await store.pendingOutbox("m2", 100))).toEqual(expected);
      expect(shape(await store.pendingOutbox("n1", 100))).toEqual([
        { fqdn: "c.example.net", type: "TXT", rrset: { ttl: 90, values: ["t"] }, at: T0 + 7 },
      ]);
      expect(await store.pendingOutbox("nobody", 100)).toEqual([]);
    });

    it("writes no row for a zone without mirrors, nor for history alone", async () => {
      await seed();
      await store.createZone(zoneFixture("plain.example"));
      await store.createHost(hostFixture("p.plain.example", "plain.example"));
      await store.commit({ writes: [setA("p.plain.example", ["192.0.2.1"])], history: [], at: T0 });
      await store.commit({ writes: [], history: [historyFixture("a.example.com")], at: T0 });
      for (const s of await store.mirrorStatus()) expect(s.pending).toBe(0);
    });

    it("a batch that fails with host_not_found leaves no outbox rows", async () => {
      await seed();
      await expectCode(
        store.commit({
          writes: [setA("a.example.com", ["192.0.2.1"]), setA("missing.example.com", ["192.0.2.2"])],
          history: [],
          at: T0,
        }),
        "host_not_found",
      );
      expect(await store.pendingOutbox("m1", 100)).toEqual([]);
      expect((await store.mirrorStatus()).map((s) => s.pending)).toEqual([0, 0, 0]);
    });

    it("pendingOutbox is oldest first by seq, bounded by limit; ack of some leaves the rest", async () => {
      await seed();
      for (let i = 1; i <= 5; i++) {
        await store.commit({ writes: [setA("a.example.com", [`192.0.2.${i}`])], history: [], at: T0 + i });
      }
      const all = await store.pendingOutbox("m1", 100);
      const seqs = all.map((r) => r.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(5);
      expect(all.map((r) => r.rrset?.values[0])).toEqual([
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.3",
        "192.0.2.4",
        "192.0.2.5",
      ]);
      expect((await store.pendingOutbox("m1", 2)).map((r) => r.seq)).toEqual(seqs.slice(0, 2));
      expect(await store.pendingOutbox("m1", 0)).toEqual([]);

      // Another mirror's seqs are ignored; m2 keeps its own rows.
      const m2 = (await store.pendingOutbox("m2", 100)).map((r) => r.seq);
      await store.ackOutbox("m1", [seqs[0] ?? 0, seqs[2] ?? 0, ...m2], T0 + 100);
      expect((await store.pendingOutbox("m1", 100)).map((r) => r.seq)).toEqual([seqs[1], seqs[3], seqs[4]]);
      expect((await store.pendingOutbox("m2", 100)).map((r) => r.seq)).toEqual(m2);
    });

    it("records failures and clears them on a delivered ack; skipped acks only count", async () => {
      await seed();
      await store.commit({ writes: [setA("a.example.com", ["192.0.2.1"])], history: [], at: T0 + 1 });
      await store.commit({ writes: [setA("a.example.com", ["192.0.2.2"])], history: [], at: T0 + 2 });
      await store.commit({ writes: [setA("a.example.com", ["192.0.2.3"])], history: [], at: T0 + 3 });
      const status = async (id: string) => (await store.mirrorStatus()).find((s) => s.id === id);
      expect(await status("m1")).toEqual({
        id: "m1",
        zone: "example.com",
        provider: "cloudflare",
        pending: 3,
        oldestPendingAt: T0 + 1,
        lastSuccessAt: undefined,
        delivered: 0,
        skipped: 0,
        attempts: 0,
        lastError: undefined,
        nextTryAt: undefined,
        lease: undefined,
      });

      await store.failMirror("m1", {
        code: "provider_unavailable",
        message: "503 down",
        at: T0 + 10,
        nextTryAt: T0 + 1010,
      });
      await store.failMirror("m1", {
        code: "network_error",
        message: "refused",
        at: T0 + 20,
        nextTryAt: T0 + 2020,
      });
      await store.failMirror("nobody", { code: "x", message: "y", at: T0, nextTryAt: T0 });
      expect(await status("m1")).toMatchObject({
        attempts: 2,
        lastError: { code: "network_error", message: "refused", at: T0 + 20 },
        nextTryAt: T0 + 2020,
        pending: 3,
      });
      expect((await status("m2"))?.attempts).toBe(0);

      const [first, second] = await store.pendingOutbox("m1", 100);
      await store.ackOutbox("m1", [first?.seq ?? 0], T0 + 30, "skipped");
      expect(await status("m1")).toMatchObject({ skipped: 1, delivered: 0, attempts: 2, pending: 2 });
      expect((await status("m1"))?.lastError?.code).toBe("network_error");
      expect((await status("m1"))?.oldestPendingAt).toBe(T0 + 2);

      await store.ackOutbox("m1", [second?.seq ?? 0, 999_999], T0 + 40);
      expect(await status("m1")).toEqual({
        id: "m1",
        zone: "example.com",
        provider: "cloudflare",
        pending: 1,
        oldestPendingAt: T0 + 3,
        lastSuccessAt: T0 + 40,
        delivered: 1,
        skipped: 1,
        attempts: 0,
        lastError: undefined,
        nextTryAt: undefined,
        lease: undefined,
      });
    });

    it("deleteHost queues a delete of each of its sets, in the same change", async () => {
      await seed();
      await store.commit({
        writes: [
          setA("a.example.com", ["192.0.2.1"]),
          { fqdn: "a.example.com", type: "TXT", rrset: { ttl: 60, values: ["x"] } },
        ],
        history: [],
        at: T0,
      });
      const before = (await store.pendingOutbox("m1", 100)).length;
      expect(await store.deleteHost("a.example.com", T0 + 50)).toBe(true);
      const rows = (await store.pendingOutbox("m1", 100)).slice(before);
      expect(shape(rows)).toEqual([
        { fqdn: "a.example.com", type: "A", rrset: null, at: T0 + 50 },
        { fqdn: "a.example.com", type: "TXT", rrset: null, at: T0 + 50 },
      ]);
      // A host without sets, or an absent one, queues nothing.
      expect(await store.deleteHost("b.example.com", T0 + 60)).toBe(true);
      expect(await store.deleteHost("zz.example.com", T0 + 60)).toBe(false);
      expect(await store.pendingOutbox("m1", 100)).toHaveLength(before + 2);
      expect(await store.pendingOutbox("n1", 100)).toEqual([]);
    });

    it("enqueueResync queues every current set of the zone, and only that zone", async () => {
      await seed();
      await store.commit({
        writes: [
          { fqdn: "b.example.com", type: "TXT", rrset: { ttl: 120, values: ["x", "y"] } },
          setA("a.example.com", ["192.0.2.1"], 45),
          setA("b.example.com", ["192.0.2.2"]),
          setA("c.example.net", ["192.0.2.3"]),
        ],
        history: [],
        at: T0,
      });
      const pendingBefore = (await store.pendingOutbox("m1", 100)).length;
      expect(await store.enqueueResync("m1", T0 + 99)).toBe(3);
      const rows = (await store.pendingOutbox("m1", 100)).slice(pendingBefore);
      expect(shape(rows)).toEqual([
        { fqdn: "a.example.com", type: "A", rrset: { ttl: 45, values: ["192.0.2.1"] }, at: T0 + 99 },
        { fqdn: "b.example.com", type: "A", rrset: { ttl: 60, values: ["192.0.2.2"] }, at: T0 + 99 },
        { fqdn: "b.example.com", type: "TXT", rrset: { ttl: 120, values: ["x", "y"] }, at: T0 + 99 },
      ]);
      expect(await store.pendingOutbox("m2", 100)).toHaveLength(pendingBefore);
      await expectCode(store.enqueueResync("nobody", T0), "mirror_not_found");
    });

    it("deleteMirror drops its outbox and state; the same id starts afresh", async () => {
      await seed();
      await store.commit({ writes: [setA("a.example.com", ["192.0.2.1"])], history: [], at: T0 });
      await store.failMirror("m1", { code: "network_error", message: "x", at: T0, nextTryAt: T0 + 1 });
      expect(await store.deleteMirror("m1")).toBe(true);
      expect(await store.pendingOutbox("m1", 100)).toEqual([]);
      await store.createMirror(mirror("m1", "example.com", { createdAt: T0 + 5 }));
      expect((await store.mirrorStatus()).find((s) => s.id === "m1")).toMatchObject({
        pending: 0,
        attempts: 0,
        lastError: undefined,
        delivered: 0,
      });
      expect(await store.pendingOutbox("m2", 100)).toHaveLength(1);
    });

    it("deleting a zone deletes its mirrors and outbox, empty zone or cascade", async () => {
      await seed();
      await store.commit({
        writes: [setA("a.example.com", ["192.0.2.1"]), setA("c.example.net", ["192.0.2.3"])],
        history: [],
        at: T0,
      });
      expect(await store.deleteZone("example.com", { cascade: true })).toBe(true);
      expect((await store.listMirrors()).map((m) => m.id)).toEqual(["n1"]);
      expect(await store.pendingOutbox("m1", 100)).toEqual([]);
      expect(await store.pendingOutbox("n1", 100)).toHaveLength(1);
      await store.createZone(zoneFixture("example.com"));
      expect(await store.listMirrors("example.com")).toEqual([]);

      await store.createZone(zoneFixture("empty.example"));
      await store.createMirror(mirror("e1", "empty.example"));
      expect(await store.deleteZone("empty.example")).toBe(true);
      expect(await store.getMirror("e1")).toBeUndefined();
    });

    it("a lease is taken when free, expired or ours (renewed), refused while another holds it", async () => {
      await seed();
      const lease = async (id: string) => (await store.mirrorStatus()).find((s) => s.id === id)?.lease;
      expect(await lease("m1")).toBeUndefined();
      expect(await store.claimMirror("m1", "node-a", T0, 1000)).toBe(true);
      expect(await lease("m1")).toEqual({ owner: "node-a", until: T0 + 1000 });
      // Held by another, unexpired (up to the last ms): refused, nothing changes.
      expect(await store.claimMirror("m1", "node-b", T0 + 999, 1000)).toBe(false);
      expect(await lease("m1")).toEqual({ owner: "node-a", until: T0 + 1000 });
      // Renewed by its holder: extended.
      expect(await store.claimMirror("m1", "node-a", T0 + 500, 1000)).toBe(true);
      expect(await store.claimMirror("m1", "node-b", T0 + 1000, 1000)).toBe(false);
      // Expired (until <= now): taken over.
      expect(await store.claimMirror("m1", "node-b", T0 + 1500, 1000)).toBe(true);
      expect(await lease("m1")).toEqual({ owner: "node-b", until: T0 + 2500 });
      // Leases are per mirror; an absent mirror has none to take.
      expect(await store.claimMirror("m2", "node-a", T0 + 1500, 1000)).toBe(true);
      expect(await store.claimMirror("nobody", "node-a", T0, 1000)).toBe(false);
      expect((await store.mirrorStatus()).find((s) => s.id === "n1")?.lease).toBeUndefined();
    });

    it("only its holder releases a lease, expired or not; then anyone takes it at once", async () => {
      await seed();
      await store.claimMirror("m1", "node-a", T0, 1000);
      await store.releaseMirror("m1", "node-b");
      await store.releaseMirror("nobody", "node-a");
      expect(await store.claimMirror("m1", "node-b", T0 + 1, 1000)).toBe(false);
      await store.releaseMirror("m1", "node-a");
      expect((await store.mirrorStatus()).find((s) => s.id === "m1")?.lease).toBeUndefined();
      expect(await store.claimMirror("m1", "node-b", T0 + 2, 1000)).toBe(true);
      await store.releaseMirror("m1", "node-b"); // long expired by now for its holder: still freed
      expect(await store.claimMirror("m1", "node-c", T0 + 3, 1000)).toBe(true);
    });

    it("acks and failures fenced by an owner change nothing unless it holds the lease", async () => {
      await seed();
      await store.commit({ writes: [setA("a.example.com", ["192.0.2.1"])], history: [], at: T0 });
      const seqs = (await store.pendingOutbox("m1", 100)).map((r) => r.seq);
      const failure = { code: "network_error", message: "x", at: T0, nextTryAt: T0 + 1 };
      const before = await store.mirrorStatus();
      // Nobody holds it, then another node does (even after its lease expired).
      expect(await store.ackOutbox("m1", seqs, T0, "delivered", "node-a")).toBe(false);
      expect(await store.failMirror("m1", failure, "node-a")).toBe(false);
      await store.claimMirror("m1", "node-b", T0, 1000);
      expect(await store.ackOutbox("m1", seqs, T0 + 5000, "skipped", "node-a")).toBe(false);
      expect(await store.failMirror("m1", failure, "node-a")).toBe(false);
      expect(await store.ackOutbox("nobody", seqs, T0, "delivered", "node-b")).toBe(false);
      expect(await store.failMirror("nobody", failure)).toBe(false);
      expect((await store.mirrorStatus()).map((s) => ({ ...s, lease: undefined }))).toEqual(
        before.map((s) => ({ ...s, lease: undefined })),
      );

      // Its holder records, even past its lease while nobody took it over.
      expect(await store.failMirror("m1", failure, "node-b")).toBe(true);
      expect(await store.ackOutbox("m1", seqs, T0 + 5000, "delivered", "node-b")).toBe(true);
      expect((await store.mirrorStatus()).find((s) => s.id === "m1")).toMatchObject({
        pending: 0,
        delivered: 1,
        attempts: 0,
        lease: { owner: "node-b", until: T0 + 1000 },
      });
      // Unfenced writes (no owner) take effect whoever holds the lease.
      expect(await store.failMirror("m1", failure)).toBe(true);
      expect(await store.ackOutbox("m1", [], T0)).toBe(true);
    });

    it("a deleted mirror's lease goes with it", async () => {
      await seed();
      await store.claimMirror("m1", "node-a", T0, 1000);
      await store.deleteMirror("m1");
      await store.createMirror(mirror("m1", "example.com", { createdAt: T0 + 5 }));
      expect((await store.mirrorStatus()).find((s) => s.id === "m1")?.lease).toBeUndefined();
      expect(await store.claimMirror("m1", "node-b", T0 + 1, 1000)).toBe(true);
    });

    it("never reuses a seq, even after the newest rows were acknowledged", async () => {
      await seed();
      await store.commit({ writes: [setA("a.example.com", ["192.0.2.1"])], history: [], at: T0 });
      const first = await store.pendingOutbox("m1", 100);
      await store.ackOutbox(
        "m1",
        first.map((r) => r.seq),
        T0,
      );
      await store.ackOutbox(
        "m2",
        (await store.pendingOutbox("m2", 100)).map((r) => r.seq),
        T0,
      );
      await store.commit({ writes: [setA("a.example.com", ["192.0.2.2"])], history: [], at: T0 });
      const next = await store.pendingOutbox("m1", 100);
      expect(next[0]?.seq).toBeGreaterThan(first[0]?.seq ?? Infinity);
    });
  });
}
