// Row ↔ record conversions of NotifyStore (ports.ts), shared by the SQL adapters (sqlite/notify.ts,
// postgres/notify.ts: the same columns, migrations/0014_webhooks.ts). Reading is defensive, as rows.ts:
// a malformed row throws (the store reports store_unavailable).

import { zoneLogEntry, type ZoneLogRow } from "../change-log.js";
import type { AddressChange, PendingNotification, WebhookRecord } from "../ports.js";
import { parseStrings } from "./rows.js";

/** The columns of a webhooks row (SQLite: enabled 0/1; PostgreSQL: a boolean). */
export interface WebhookRow {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  readonly events_json: string;
  readonly template: string | null;
  readonly created_at: number;
  readonly enabled: number | boolean;
}

export interface OutboxRow {
  readonly seq: number;
  readonly webhook: string;
  readonly event_id: string;
  readonly kind: string;
  readonly payload_json: string;
  readonly created_at: number;
  readonly attempts: number;
  readonly last_error: string | null;
}

/** A change-log row as addressChanges reads it. */
export interface AddressRow extends ZoneLogRow {
  readonly zone: string | null;
  readonly at: number;
}

/** The change-log rows of addressChanges, given the dialect's placeholders for `after` and `limit`. */
export const addressRowsSql = (after: string, limit: string): string =>
  `select seq, zone, fqdn, at, old_value, new_value from changes where seq > ${after} ` +
  "and type in ('A', 'AAAA') and fqdn is not null and (old_value is not null or new_value is not null) " +
  `order by seq limit ${limit}`;

export function webhookFromRow(r: WebhookRow): WebhookRecord {
  return {
    id: r.id,
    url: r.url,
    secret: r.secret,
    events: parseStrings(r.events_json, "webhooks.events_json"),
    template: r.template,
    createdAt: Number(r.created_at),
    enabled: r.enabled === true || r.enabled === 1,
  };
}

export function notificationFromRow(r: OutboxRow): PendingNotification {
  return {
    seq: Number(r.seq),
    webhook: r.webhook,
    id: r.event_id,
    kind: r.kind,
    payload: r.payload_json,
    createdAt: Number(r.created_at),
    attempts: Number(r.attempts),
    lastError: r.last_error,
  };
}

export function addressChangeFromRow(r: AddressRow): AddressChange {
  const e = zoneLogEntry(r);
  if (e.kind !== "rrset") throw new Error(`change ${r.seq} is not a record-set change`);
  const type = (e.after ?? e.before)?.type;
  if (type !== "A" && type !== "AAAA") throw new Error(`change ${r.seq} is not an address change`);
  return {
    seq: Number(r.seq),
    zone: r.zone,
    fqdn: e.fqdn,
    type,
    before: e.before?.values ?? [],
    after: e.after?.values ?? [],
    at: Number(r.at),
  };
}

/** The webhooks an event goes to: `webhook` alone when it names one, else every one listing its kind. */
export function recipients(
  hooks: readonly Pick<WebhookRecord, "id" | "events">[],
  event: { readonly kind: string; readonly webhook?: string },
): string[] {
  return hooks
    .filter((h) =>
      event.webhook === undefined
        ? h.events.includes("*") || h.events.includes(event.kind)
        : h.id === event.webhook,
    )
    .map((h) => h.id);
}
