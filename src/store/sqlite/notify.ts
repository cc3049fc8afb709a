// NotifyStore in SQLite: webhooks, their outbox and the change-log follower's state
// (migrations/0014_webhooks.ts). Writes are BEGIN IMMEDIATE transactions (db.ts), so claims by several
// processes on one file never overlap.

import { BeaconError } from "../../core/errors.js";
import type { NewNotification, NotifyStore } from "../ports.js";
import {
  addressChangeFromRow,
  addressRowsSql,
  notificationFromRow,
  recipients,
  webhookFromRow,
  type AddressRow,
  type OutboxRow,
  type WebhookRow,
} from "../sql/notify-rows.js";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";

const OUTBOX_COLUMNS = "seq, webhook, event_id, kind, payload_json, created_at, attempts, last_error";

/** Appends the events' rows; call inside the write transaction. */
function enqueue(db: Db, events: readonly NewNotification[], at: number): number {
  const hooks = db
    .all<WebhookRow>("select * from webhooks where enabled = 1 order by id")
    .map(webhookFromRow);
  let n = 0;
  for (const e of events)
    for (const webhook of recipients(hooks, e))
      n += db.run(
        "insert into webhook_outbox (webhook, event_id, kind, payload_json, created_at, next_try_at) " +
          "values (?, ?, ?, ?, ?, ?)",
        webhook,
        e.id,
        e.kind,
        e.payload,
        at,
        at,
      );
  return n;
}

export function sqliteNotify(db: Db): NotifyStore {
  return {
    createWebhook(h) {
      return db.write("createWebhook", () => {
        try {
          db.run(
            "insert into webhooks (id, url, secret, events_json, template, created_at, enabled) " +
              "values (?, ?, ?, ?, ?, ?, ?)",
            h.id,
            h.url,
            h.secret,
            JSON.stringify(h.events),
            h.template,
            h.createdAt,
            h.enabled ? 1 : 0,
          );
        } catch (e) {
          if (isUniqueViolation(e)) throw new BeaconError("webhook_exists", `webhook ${h.id} already exists`);
          throw e;
        }
      });
    },

    getWebhook(id) {
      return db.read("getWebhook", () => {
        const row = db.get<WebhookRow>("select * from webhooks where id = ?", id);
        return row && webhookFromRow(row);
      });
    },

    listWebhooks() {
      return db.read("listWebhooks", () =>
        db.all<WebhookRow>("select * from webhooks order by id").map(webhookFromRow),
      );
    },

    deleteWebhook(id) {
      return db.write("deleteWebhook", () => {
        db.run("delete from webhook_outbox where webhook = ?", id);
        return db.run("delete from webhooks where id = ?", id) > 0;
      });
    },

    setWebhookEnabled(id, enabled) {
      return db.write(
        "setWebhookEnabled",
        () => db.run("update webhooks set enabled = ? where id = ?", enabled ? 1 : 0, id) > 0,
      );
    },

    enqueueNotifications(events, at) {
      return db.write("enqueueNotifications", () => enqueue(db, events, at));
    },

    claimNotifications(owner, now, leaseMs, limit) {
      return db.write("claimNotifications", () => {
        const rows = db.all<OutboxRow>(
          `select ${OUTBOX_COLUMNS} from webhook_outbox o where ` +
            "o.seq = (select min(seq) from webhook_outbox where webhook = o.webhook) and o.next_try_at <= ? " +
            "and (o.claimed_by is null or o.claimed_by = ? or o.claimed_until <= ?) " +
            "and o.webhook in (select id from webhooks where enabled = 1) order by o.seq limit ?",
          now,
          owner,
          now,
          Math.max(0, Math.floor(limit)),
        );
        for (const r of rows)
          db.run(
            "update webhook_outbox set claimed_by = ?, claimed_until = ? where seq = ?",
            owner,
            now + leaseMs,
            r.seq,
          );
        return rows.map(notificationFromRow);
      });
    },

    ackNotification(seq, owner) {
      return db.write(
        "ackNotification",
        () => db.run("delete from webhook_outbox where seq = ? and claimed_by = ?", seq, owner) > 0,
      );
    },

    failNotification(seq, owner, error, nextTryAt) {
      return db.write(
        "failNotification",
        () =>
          db.run(
            "update webhook_outbox set attempts = attempts + 1, last_error = ?, next_try_at = ?, " +
              "claimed_by = null, claimed_until = null where seq = ? and claimed_by = ?",
            error,
            nextTryAt,
            seq,
            owner,
          ) > 0,
      );
    },

    dropNotifications(createdBefore, limit) {
      return db.write("dropNotifications", () => {
        const rows = db.all<OutboxRow>(
          `select ${OUTBOX_COLUMNS} from webhook_outbox where created_at < ? order by seq limit ?`,
          createdBefore,
          Math.max(0, Math.floor(limit)),
        );
        for (const r of rows) db.run("delete from webhook_outbox where seq = ?", r.seq);
        return rows.map(notificationFromRow);
      });
    },

    notificationQueue() {
      return db.read(
        "notificationQueue",
        () => db.get<{ n: number }>("select count(*) as n from webhook_outbox")?.n ?? 0,
      );
    },

    claimNotifyFollower(owner, now, leaseMs) {
      return db.write(
        "claimNotifyFollower",
        () =>
          db.run(
            "update notify_state set lease_owner = ?, lease_until = ? where id = 1 and " +
              "(lease_owner is null or lease_owner = ? or lease_until <= ?)",
            owner,
            now + leaseMs,
            owner,
            now,
          ) > 0,
      );
    },

    releaseNotifyFollower(owner) {
      return db.write("releaseNotifyFollower", () => {
        db.run(
          "update notify_state set lease_owner = null, lease_until = null where id = 1 and lease_owner = ?",
          owner,
        );
      });
    },

    notifyCursor() {
      return db.read(
        "notifyCursor",
        () =>
          db.get<{ cursor: number | null }>("select cursor from notify_state where id = 1")?.cursor ?? null,
      );
    },

    addressChanges(after, limit) {
      return db.read(
        "addressChanges",
        () => {
          const n = Math.max(1, Math.floor(limit));
          const rows = db.all<AddressRow>(addressRowsSql("?", "?"), after, n);
          const last =
            db.get<{ last: number | null }>("select seq as last from sqlite_sequence where name = 'changes'")
              ?.last ?? 0;
          const to = rows.length === n ? rows[n - 1]!.seq : Math.max(after, last);
          return { to, changes: rows.map(addressChangeFromRow) };
        },
        true,
      );
    },

    followChanges(owner, from, to, events, at) {
      return db.write("followChanges", () => {
        const state = db.get<{ cursor: number | null; lease_owner: string | null }>(
          "select cursor, lease_owner from notify_state where id = 1",
        );
        if (state?.lease_owner !== owner || state.cursor !== from) return false;
        enqueue(db, events, at);
        db.run("update notify_state set cursor = ? where id = 1", to);
        return true;
      });
    },
  };
}
