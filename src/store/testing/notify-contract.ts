// The webhooks part of the Store contract (called from runStoreContract): webhooks and their outbox
// (fan-out by event kind, a webhook's rows claimed one at a time in order, claims between two owners,
// ack and fail fenced by the claim, drop by age), and the change-log follower (its lease, its cursor
// advanced in the same transaction as the rows it enqueues, address changes read with their values).

import { describe, expect, it } from "vitest";

import type { NewNotification, NotifyStore, WebhookRecord, ZoneStore } from "../ports.js";
import { batch, expectCode, seedExampleZones, setA, T0 } from "./fixtures.js";

function hook(id: string, extra: Partial<WebhookRecord> = {}): WebhookRecord {
  return {
    id,
    url: `https://hooks.example/${id}`,
    secret: `secret-${id}`,
    events: ["*"],
    template: null,
    createdAt: T0,
    enabled: true,
    ...extra,
  };
}

const event = (id: string, kind = "host.address_changed", webhook?: string): NewNotification => ({
  id,
  kind,
  payload: JSON.stringify({ n: id }),
  ...(webhook === undefined ? {} : { webhook }),
});

const LEASE = 30_000;

export function notifyContract(get: () => NotifyStore & ZoneStore): void {
  describe("webhooks and their outbox", () => {
    it("creates, gets, lists (sorted), disables and deletes webhooks; refuses a duplicate id", async () => {
      const store = get();
      await store.createWebhook(hook("w2", { template: '{"text":"{{event}}"}', events: ["pool.all_down"] }));
      await store.createWebhook(hook("w1"));
      await expectCode(store.createWebhook(hook("w1", { url: "https://other.example/" })), "webhook_exists");
      expect(await store.getWebhook("w1")).toEqual(hook("w1"));
      expect(await store.getWebhook("zz")).toBeUndefined();
      expect((await store.listWebhooks()).map((h) => h.id)).toEqual(["w1", "w2"]);
      expect((await store.listWebhooks())[1]).toEqual(
        hook("w2", { template: '{"text":"{{event}}"}', events: ["pool.all_down"] }),
      );
      expect(await store.setWebhookEnabled("w1", false)).toBe(true);
      expect(await store.setWebhookEnabled("zz", false)).toBe(false);
      expect((await store.getWebhook("w1"))?.enabled).toBe(false);
      expect(await store.deleteWebhook("w1")).toBe(true);
      expect(await store.deleteWebhook("w1")).toBe(false);
      expect((await store.listWebhooks()).map((h) => h.id)).toEqual(["w2"]);
    });

    it("enqueues a row per event and subscribed, enabled webhook; a test event to its webhook only", async () => {
      const store = get();
      await store.createWebhook(hook("all"));
      await store.createWebhook(hook("pools", { events: ["pool.member_down", "pool.member_up"] }));
      await store.createWebhook(hook("off", { enabled: false }));
      expect(
        await store.enqueueNotifications(
          [
            event("e1"),
            event("e2", "pool.member_down"),
            event("e3", "test", "pools"),
            event("e4", "test", "off"),
          ],
          T0,
        ),
      ).toBe(4);
      expect(await store.notificationQueue()).toBe(4);
      const claimed = await store.claimNotifications("n1", T0, LEASE, 10);
      expect(claimed.map((r) => [r.webhook, r.id, r.kind])).toEqual([
        ["all", "e1", "host.address_changed"],
        ["pools", "e2", "pool.member_down"],
      ]);
      expect(claimed[0]).toMatchObject({
        payload: '{"n":"e1"}',
        createdAt: T0,
        attempts: 0,
        lastError: null,
      });
    });

    it("gives each webhook's oldest row to one owner at a time, in order; the other webhooks go on", async () => {
      const store = get();
      await store.createWebhook(hook("a"));
      await store.createWebhook(hook("b"));
      await store.enqueueNotifications([event("e1"), event("e2")], T0);
      const first = await store.claimNotifications("n1", T0, LEASE, 10);
      expect(first.map((r) => `${r.webhook}:${r.id}`)).toEqual(["a:e1", "b:e1"]);
      // n2 gets nothing while n1's claims last, then the expired ones.
      expect(await store.claimNotifications("n2", T0 + 1, LEASE, 10)).toEqual([]);
      expect(await store.ackNotification(first[0]!.seq, "n2")).toBe(false);
      expect(await store.ackNotification(first[0]!.seq, "n1")).toBe(true);
      expect(await store.ackNotification(first[0]!.seq, "n1")).toBe(false);
      expect(
        (await store.claimNotifications("n2", T0 + 2, LEASE, 10)).map((r) => `${r.webhook}:${r.id}`),
      ).toEqual(["a:e2"]);
      // After n1's claims expire n2 takes b:e1 over (and renews its own claim of a:e2).
      const taken = await store.claimNotifications("n2", T0 + LEASE + 1, LEASE, 10);
      expect(taken.map((r) => `${r.webhook}:${r.id}`)).toEqual(["b:e1", "a:e2"]);
      // n1's claim of b:e1 was taken over: its late ack and failure record nothing.
      expect(await store.ackNotification(first[1]!.seq, "n1")).toBe(false);
      expect(await store.failNotification(first[1]!.seq, "n1", "late", T0)).toBe(false);
      expect(await store.notificationQueue()).toBe(3);
    });

    it("records a failure with its next try, releases the claim, and counts attempts", async () => {
      const store = get();
      await store.createWebhook(hook("a"));
      await store.enqueueNotifications([event("e1"), event("e2")], T0);
      const [r] = await store.claimNotifications("n1", T0, LEASE, 10);
      expect(await store.failNotification(r!.seq, "n1", "HTTP 503", T0 + 2_000)).toBe(true);
      expect(await store.claimNotifications("n2", T0 + 1_999, LEASE, 10)).toEqual([]);
      const [again] = await store.claimNotifications("n2", T0 + 2_000, LEASE, 10);
      expect(again).toMatchObject({ seq: r!.seq, id: "e1", attempts: 1, lastError: "HTTP 503" });
    });

    it("skips a disabled webhook's rows and deletes them with it", async () => {
      const store = get();
      await store.createWebhook(hook("a"));
      await store.enqueueNotifications([event("e1")], T0);
      await store.setWebhookEnabled("a", false);
      expect(await store.claimNotifications("n1", T0, LEASE, 10)).toEqual([]);
      expect(await store.notificationQueue()).toBe(1);
      await store.deleteWebhook("a");
      expect(await store.notificationQueue()).toBe(0);
    });

    it("drops rows older than the age limit, at most `limit`, oldest first", async () => {
      const store = get();
      await store.createWebhook(hook("a"));
      await store.enqueueNotifications([event("old1"), event("old2")], T0);
      await store.enqueueNotifications([event("new")], T0 + 10);
      expect((await store.dropNotifications(T0 + 10, 1)).map((r) => r.id)).toEqual(["old1"]);
      expect((await store.dropNotifications(T0 + 10, 10)).map((r) => r.id)).toEqual(["old2"]);
      expect(await store.dropNotifications(T0 + 10, 10)).toEqual([]);
      expect((await store.claimNotifications("n1", T0 + 10, LEASE, 10)).map((r) => r.id)).toEqual(["new"]);
    });
  });

  describe("the change-log follower", () => {
    it("reads A and AAAA changes with their values before and after, and the position they cover", async () => {
      const store = get();
      await seedExampleZones(store);
      const start = (await store.addressChanges(0, 1000)).to;
      await store.commit(batch([setA("a.example.com", ["192.0.2.1"])]));
      await store.commit(
        batch([
          setA("a.example.com", ["192.0.2.2", "192.0.2.3"]),
          { fqdn: "a.example.com", type: "AAAA", rrset: { ttl: 60, values: ["2001:db8::1"] } },
          { fqdn: "a.example.com", type: "TXT", rrset: { ttl: 60, values: ["hello"] } },
        ]),
      );
      await store.commit(batch([{ fqdn: "a.example.com", type: "A", rrset: null }]));
      const { to, changes } = await store.addressChanges(start, 1000);
      expect(changes.map((c) => [c.fqdn, c.zone, c.type, c.before, c.after])).toEqual([
        ["a.example.com", "example.com", "A", [], ["192.0.2.1"]],
        ["a.example.com", "example.com", "A", ["192.0.2.1"], ["192.0.2.2", "192.0.2.3"]],
        ["a.example.com", "example.com", "AAAA", [], ["2001:db8::1"]],
        ["a.example.com", "example.com", "A", ["192.0.2.2", "192.0.2.3"], []],
      ]);
      expect(to).toBeGreaterThanOrEqual(changes[3]!.seq);
      expect(changes.every((c) => typeof c.at === "number")).toBe(true);
      const page = await store.addressChanges(start, 2);
      expect(page.changes.map((c) => c.seq)).toEqual(changes.slice(0, 2).map((c) => c.seq));
      expect(page.to).toBe(changes[1]!.seq);
      expect((await store.addressChanges(to, 10)).changes).toEqual([]);
    });

    it("advances the cursor with the rows it enqueues, only under the lease and from the cursor it read", async () => {
      const store = get();
      await store.createWebhook(hook("a"));
      expect(await store.notifyCursor()).toBeNull();
      expect(await store.followChanges("n1", null, 5, [event("e0")], T0)).toBe(false); // no lease
      expect(await store.claimNotifyFollower("n1", T0, LEASE)).toBe(true);
      expect(await store.claimNotifyFollower("n2", T0 + 1, LEASE)).toBe(false);
      expect(await store.followChanges("n1", null, 5, [event("e1")], T0)).toBe(true);
      expect(await store.notifyCursor()).toBe(5);
      // A stale cursor (another follower moved it) changes nothing: no row, no move.
      expect(await store.followChanges("n1", null, 9, [event("dup")], T0)).toBe(false);
      expect(await store.notifyCursor()).toBe(5);
      expect(await store.notificationQueue()).toBe(1);
      // Taken over after expiry: the old holder's write is fenced off.
      expect(await store.claimNotifyFollower("n2", T0 + LEASE + 1, LEASE)).toBe(true);
      expect(await store.followChanges("n1", 5, 7, [event("late")], T0)).toBe(false);
      expect(await store.followChanges("n2", 5, 7, [event("e2")], T0)).toBe(true);
      expect(await store.notifyCursor()).toBe(7);
      await store.releaseNotifyFollower("n1"); // not the holder: no effect
      expect(await store.claimNotifyFollower("n1", T0 + LEASE + 2, LEASE)).toBe(false);
      await store.releaseNotifyFollower("n2");
      expect(await store.claimNotifyFollower("n1", T0 + LEASE + 2, LEASE)).toBe(true);
      const rows = await store.claimNotifications("w", T0, LEASE, 10);
      expect(rows.map((r) => r.id)).toEqual(["e1"]);
      await store.ackNotification(rows[0]!.seq, "w");
      expect((await store.claimNotifications("w", T0, LEASE, 10)).map((r) => r.id)).toEqual(["e2"]);
    });
  });
}
