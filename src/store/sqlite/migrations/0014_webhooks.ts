// 0014_webhooks: webhooks (NotifyStore, services/notify/), their durable outbox, and the state of the
// change-log follower that turns address changes into events.
// - webhooks: events_json is a JSON list of event kinds ("*": every kind); template null: the
//   default JSON body.
// - webhook_outbox: one row per event and webhook, removed once delivered or dropped. seq never
//   reused (AUTOINCREMENT). Only a webhook's oldest row is ever claimed (claimed_by, claimed_until: the
//   delivering node's lease on it), so each webhook is delivered one event at a time, in order.
// - notify_state: one row (id 1): the change-log position the follower has turned into events
//   (cursor, null until it first runs) and which node follows (lease_owner, lease_until).

import { sql, type Kysely, type Migration } from "kysely";

export const webhooks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table webhooks (
        id text primary key,
        url text not null,
        secret text not null,
        events_json text not null,
        template text,
        created_at integer not null,
        enabled integer not null default 1
      )`.execute(db);
    await sql`
      create table webhook_outbox (
        seq integer primary key autoincrement,
        webhook text not null references webhooks (id) on delete cascade,
        event_id text not null,
        kind text not null,
        payload_json text not null,
        created_at integer not null,
        attempts integer not null default 0,
        next_try_at integer not null,
        last_error text,
        claimed_by text,
        claimed_until integer
      )`.execute(db);
    await sql`create index webhook_outbox_webhook_seq on webhook_outbox (webhook, seq)`.execute(db);
    await sql`
      create table notify_state (
        id integer primary key check (id = 1),
        cursor integer,
        lease_owner text,
        lease_until integer
      )`.execute(db);
    await sql`insert into notify_state (id) values (1)`.execute(db);
  },
};
