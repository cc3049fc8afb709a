// NotifyStore in PostgreSQL, as sqlite/notify.ts (migrations/0014_webhooks.ts). Several nodes share it:
// a claim is one `update … where` that rechecks the row's claim under its row lock, so of two nodes
// claiming a row one gets it; the follower's writes lock the state row first (for update), so its
// lease check and cursor check hold until commit; enqueuing key-share locks the webhooks it writes
// rows for, so none is deleted before the rows commit.

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
import type { Db, Sql } from "./db.js";
import { isUniqueViolation } from "./errors.js";

const WEBHOOK_COLUMNS = "id, url, secret, events_json, template, created_at, enabled";
const OUTBOX_COLUMNS = "seq, webhook, event_id, kind, payload_json, created_at, attempts, last_error";

/** Appends the events' rows; call inside the write transaction. */
async function enqueue(sql: Sql, events: readonly NewNotification[], at: number): Promise<number> {
  if (events.length === 0) return 0;
  const hooks = (
    await sql.all<WebhookRow>(
      `select ${WEBHOOK_COLUMNS} from webhooks where enabled order by id for key share`,
    )
  ).map(webhookFromRow);
  let n = 0;
  for (const e of events)
    for (const webhook of recipients(hooks, e))
      n += await sql.run(
        "insert into webhook_outbox (webhook, event_id, kind, payload_json, created_at, next_try_at) " +
          "values ($1, $2, $3, $4, $5, $5)",
        webhook,
        e.id,
        e.kind,
        e.payload,
        at,
      );
  return n;
}

export function pgNotify(db: Db): NotifyStore {
  return {
    createWebhook(h) {
      return db.write("createWebhook", async (sql) => {
        try {
          await sql.run(
            `insert into webhooks (${WEBHOOK_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)`,
            h.id,
            h.url,
            h.secret,
            JSON.stringify(h.events),
            h.template,
            h.createdAt,
            h.enabled,
          );
        } catch (e) {
          if (isUniqueViolation(e)) throw new BeaconError("webhook_exists", `webhook ${h.id} already exists`);
          throw e;
        }
      });
    },

    getWebhook(id) {
      return db.read("getWebhook", async (sql) => {
        const row = await sql.get<WebhookRow>(`select ${WEBHOOK_COLUMNS} from webhooks where id = $1`, id);
        return row && webhookFromRow(row);
      });
    },

    listWebhooks() {
      return db.read("listWebhooks", async (sql) =>
        (await sql.all<WebhookRow>(`select ${WEBHOOK_COLUMNS} from webhooks order by id`)).map(
          webhookFromRow,
        ),
      );
    },

    deleteWebhook(id) {
      return db.write("deleteWebhook", async (sql) => {
        await sql.run("delete from webhook_outbox where webhook = $1", id);
        return (await sql.run("delete from webhooks where id = $1", id)) > 0;
      });
    },

    setWebhookEnabled(id, enabled) {
      return db.write(
        "setWebhookEnabled",
        async (sql) => (await sql.run("update webhooks set enabled = $1 where id = $2", enabled, id)) > 0,
      );
    },

    enqueueNotifications(events, at) {
      return db.write("enqueueNotifications", (sql) => enqueue(sql, events, at));
    },

    claimNotifications(owner, now, leaseMs, limit) {
      return db.write("claimNotifications", async (sql) => {
        const heads = await sql.all<{ seq: number }>(
          "select o.seq from webhook_outbox o where " +
            "o.seq = (select min(seq) from webhook_outbox where webhook = o.webhook) and o.next_try_at <= $1 " +
            "and (o.claimed_by is null or o.claimed_by = $2 or o.claimed_until <= $1) " +
            "and o.webhook in (select id from webhooks where enabled) order by o.seq limit $3",
          now,
          owner,
          Math.max(0, Math.floor(limit)),
        );
        const claimed: OutboxRow[] = [];
        for (const { seq } of heads) {
          const row = await sql.get<OutboxRow>(
            "update webhook_outbox set claimed_by = $1, claimed_until = $2 where seq = $3 and " +
              `(claimed_by is null or claimed_by = $1 or claimed_until <= $4) returning ${OUTBOX_COLUMNS}`,
            owner,
            now + leaseMs,
            seq,
            now,
          );
          if (row !== undefined) claimed.push(row);
        }
        return claimed.map(notificationFromRow);
      });
    },

    ackNotification(seq, owner) {
      return db.write(
        "ackNotification",
        async (sql) =>
          (await sql.run("delete from webhook_outbox where seq = $1 and claimed_by = $2", seq, owner)) > 0,
      );
    },

    failNotification(seq, owner, error, nextTryAt) {
      return db.write(
        "failNotification",
        async (sql) =>
          (await sql.run(
            "update webhook_outbox set attempts = attempts + 1, last_error = $1, next_try_at = $2, " +
              "claimed_by = null, claimed_until = null where seq = $3 and claimed_by = $4",
            error,
            nextTryAt,
            seq,
            owner,
          )) > 0,
      );
    },

    dropNotifications(createdBefore, limit) {
      return db.write("dropNotifications", async (sql) =>
        (
          await sql.all<OutboxRow>(
            "delete from webhook_outbox where seq in (select seq from webhook_outbox where created_at < $1 " +
              `order by seq limit $2) returning ${OUTBOX_COLUMNS}`,
            createdBefore,
            Math.max(0, Math.floor(limit)),
          )
        )
          .map(notificationFromRow)
          .sort((a, b) => a.seq - b.seq),
      );
    },

    notificationQueue() {
      return db.read("notificationQueue", async (sql) =>
        Number((await sql.get<{ n: number | string }>("select count(*) as n from webhook_outbox"))?.n ?? 0),
      );
    },

    claimNotifyFollower(owner, now, leaseMs) {
      return db.write(
        "claimNotifyFollower",
        async (sql) =>
          (await sql.run(
            "update notify_state set lease_owner = $1, lease_until = $2 where id = 1 and " +
              "(lease_owner is null or lease_owner = $1 or lease_until <= $3)",
            owner,
            now + leaseMs,
            now,
          )) > 0,
      );
    },

    releaseNotifyFollower(owner) {
      return db.write("releaseNotifyFollower", async (sql) => {
        await sql.run(
          "update notify_state set lease_owner = null, lease_until = null where id = 1 and lease_owner = $1",
          owner,
        );
      });
    },

    notifyCursor() {
      return db.read(
        "notifyCursor",
        async (sql) =>
          (await sql.get<{ cursor: number | null }>("select cursor from notify_state where id = 1"))
            ?.cursor ?? null,
      );
    },

    addressChanges(after, limit) {
      return db.read(
        "addressChanges",
        async (sql) => {
          const n = Math.max(1, Math.floor(limit));
          const rows = await sql.all<AddressRow>(addressRowsSql("$1", "$2"), after, n);
          const last =
            (await sql.get<{ last: number | null }>("select max(seq) as last from changes"))?.last ?? 0;
          const to = rows.length === n ? Number(rows[n - 1]!.seq) : Math.max(after, Number(last));
          return { to, changes: rows.map(addressChangeFromRow) };
        },
        true,
      );
    },

    followChanges(owner, from, to, events, at) {
      return db.write("followChanges", async (sql) => {
        const state = await sql.get<{ cursor: number | null; lease_owner: string | null }>(
          "select cursor, lease_owner from notify_state where id = 1 for update",
        );
        if (state?.lease_owner !== owner || (state.cursor === null ? null : Number(state.cursor)) !== from)
          return false;
        await enqueue(sql, events, at);
        await sql.run("update notify_state set cursor = $1 where id = 1", to);
        return true;
      });
    },
  };
}
