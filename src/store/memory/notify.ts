// The memory store's webhooks, their outbox and the change-log follower's state: the NotifyStore port,
// with the SQL adapters' semantics (sqlite/notify.ts). Address changes are read from the change log
// (changes.ts). Every method runs without awaiting, so each is atomic; values are cloned in and out.
/* eslint-disable @typescript-eslint/require-await -- the port is async; nothing here has to wait */

import { BeaconError } from "../../core/errors.js";
import type { NewNotification, NotifyStore, PendingNotification, WebhookRecord } from "../ports.js";
import { recipients } from "../sql/notify-rows.js";
import type { MemoryChangeLog } from "./changes.js";
import { byKey } from "./order.js";

interface Row extends PendingNotification {
  nextTryAt: number;
  claimedBy: string | null;
  claimedUntil: number;
}

interface Lease {
  owner: string | null;
  until: number;
}

/** `lease` is free, expired or `owner`'s: taken for `owner` until now + leaseMs. */
function take(lease: Lease, owner: string, now: number, leaseMs: number): boolean {
  if (lease.owner !== null && lease.owner !== owner && lease.until > now) return false;
  lease.owner = owner;
  lease.until = now + leaseMs;
  return true;
}

const copy = ({ nextTryAt: _n, claimedBy: _b, claimedUntil: _u, ...r }: Row): PendingNotification => ({
  ...r,
});

export function createMemoryNotify(open: () => void, log: MemoryChangeLog): NotifyStore {
  const hooks = new Map<string, WebhookRecord>();
  let rows: Row[] = [];
  let seq = 0;
  let cursor: number | null = null;
  const follower: Lease = { owner: null, until: 0 };

  function enqueue(events: readonly NewNotification[], at: number): number {
    const enabled = [...hooks.values()].filter((h) => h.enabled).sort(byKey((h) => h.id));
    let n = 0;
    for (const e of events)
      for (const webhook of recipients(enabled, e)) {
        rows.push({
          seq: ++seq,
          webhook,
          id: e.id,
          kind: e.kind,
          payload: e.payload,
          createdAt: at,
          attempts: 0,
          lastError: null,
          nextTryAt: at,
          claimedBy: null,
          claimedUntil: 0,
        });
        n++;
      }
    return n;
  }

  const claimed = (s: number, owner: string) => rows.find((r) => r.seq === s && r.claimedBy === owner);

  return {
    async createWebhook(h) {
      open();
      if (hooks.has(h.id)) throw new BeaconError("webhook_exists", `webhook ${h.id} already exists`);
      hooks.set(h.id, structuredClone(h));
    },
    async getWebhook(id) {
      open();
      return structuredClone(hooks.get(id));
    },
    async listWebhooks() {
      open();
      return [...hooks.values()].sort(byKey((h) => h.id)).map((h) => structuredClone(h));
    },
    async deleteWebhook(id) {
      open();
      rows = rows.filter((r) => r.webhook !== id);
      return hooks.delete(id);
    },
    async setWebhookEnabled(id, enabled) {
      open();
      const h = hooks.get(id);
      if (h === undefined) return false;
      hooks.set(id, { ...h, enabled });
      return true;
    },

    async enqueueNotifications(events, at) {
      open();
      return enqueue(events, at);
    },
    async claimNotifications(owner, now, leaseMs, limit) {
      open();
      const heads = new Map<string, Row>();
      for (const r of rows) if (!heads.has(r.webhook)) heads.set(r.webhook, r);
      const due = [...heads.values()]
        .filter(
          (r) =>
            hooks.get(r.webhook)?.enabled === true &&
            r.nextTryAt <= now &&
            (r.claimedBy === null || r.claimedBy === owner || r.claimedUntil <= now),
        )
        .slice(0, Math.max(0, Math.floor(limit)));
      for (const r of due) {
        r.claimedBy = owner;
        r.claimedUntil = now + leaseMs;
      }
      return due.map(copy);
    },
    async ackNotification(s, owner) {
      open();
      const r = claimed(s, owner);
      if (r !== undefined) rows = rows.filter((x) => x !== r);
      return r !== undefined;
    },
    async failNotification(s, owner, error, nextTryAt) {
      open();
      const r = claimed(s, owner);
      if (r === undefined) return false;
      Object.assign(r, {
        attempts: r.attempts + 1,
        lastError: error,
        nextTryAt,
        claimedBy: null,
        claimedUntil: 0,
      });
      return true;
    },
    async dropNotifications(createdBefore, limit) {
      open();
      const dropped = rows
        .filter((r) => r.createdAt < createdBefore)
        .slice(0, Math.max(0, Math.floor(limit)));
      rows = rows.filter((r) => !dropped.includes(r));
      return dropped.map(copy);
    },
    async notificationQueue() {
      open();
      return rows.length;
    },

    async claimNotifyFollower(owner, now, leaseMs) {
      open();
      return take(follower, owner, now, leaseMs);
    },
    async releaseNotifyFollower(owner) {
      open();
      if (follower.owner === owner) follower.owner = null;
    },
    async notifyCursor() {
      open();
      return cursor;
    },
    async addressChanges(after, limit) {
      open();
      return structuredClone(log.addressChanges(after, Math.max(1, Math.floor(limit))));
    },
    async followChanges(owner, from, to, events, at) {
      open();
      if (follower.owner !== owner || cursor !== from) return false;
      enqueue(events, at);
      cursor = to;
      return true;
    },
  };
}
