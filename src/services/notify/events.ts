// What webhooks report (docs/webhooks.md): the events as a discriminated union, the Notifier port the
// pools' publisher and the address-change follower emit through, and how an event becomes an outbox
// row (its fields as JSON) and then a body (the default JSON or a template's fields).
// Promises: toNotification gives every event a fresh id (X-Beacon-Delivery), the same on each retry;
// eventFields is what both the default body and templates see, with `at` as an ISO time.

import type { AdminOverride, HealthStatus } from "../../core/pools.js";

/** Fields of every pool event. `at` in ms since the epoch. */
export interface PoolEventFields {
  /** The pool's owner name. */
  readonly pool: string;
  /** The member whose state changed (member_down / member_up). */
  readonly member?: string;
  readonly from: HealthStatus | AdminOverride;
  readonly to: HealthStatus | AdminOverride;
  readonly reason: string;
  readonly at: number;
  /** The node that published. */
  readonly node: string;
  readonly rttMs?: number;
  /** The values the pool's name answers with after this change. */
  readonly published: readonly string[];
}

export const POOL_EVENT_KINDS = [
  "pool.member_down",
  "pool.member_up",
  "pool.all_down",
  "pool.recovered",
] as const;
export type PoolEventKind = (typeof POOL_EVENT_KINDS)[number];

export type NotifyEvent =
  | ({ readonly kind: PoolEventKind } & PoolEventFields)
  | {
      readonly kind: "host.address_changed";
      readonly host: string;
      readonly zone: string | null;
      readonly type: "A" | "AAAA";
      readonly old: readonly string[];
      readonly new: readonly string[];
      readonly at: number;
      /** The update protocol and token, when known (not yet: the change log does not carry them). */
      readonly protocol?: string;
      readonly tokenId?: string;
    }
  | { readonly kind: "test"; readonly webhook: string; readonly at: number; readonly message: string };

export type EventKind = NotifyEvent["kind"];
export const EVENT_KINDS: readonly EventKind[] = [...POOL_EVENT_KINDS, "host.address_changed", "test"];

/** Every field an event may carry: what a template may name (besides event, at, delivery). */
export const EVENT_FIELDS = [
  "event",
  "at",
  "delivery",
  "pool",
  "member",
  "from",
  "to",
  "reason",
  "node",
  "rttMs",
  "published",
  "host",
  "zone",
  "type",
  "old",
  "new",
  "protocol",
  "tokenId",
  "webhook",
  "message",
] as const;

/** Sends events to the webhooks that want them (services/notify/notifier.ts). */
export interface Notifier {
  /** Enqueues every event in one store transaction; resolves once they are durable. */
  emit(events: readonly NotifyEvent[]): Promise<void>;
}

/** An outbox row's content: the event's fields but its kind; `webhook` set for a test event only. */
export function toNotification(
  event: NotifyEvent,
  id: string,
): { id: string; kind: string; payload: string; webhook?: string } {
  const { kind, ...fields } = event;
  return {
    id,
    kind,
    payload: JSON.stringify(fields),
    ...(kind === "test" ? { webhook: event.webhook } : {}),
  };
}

/** The fields a body shows: event, at (ISO), delivery, then the event's own. Throws on a damaged payload. */
export function eventFields(kind: string, id: string, payload: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(payload);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error("the outbox payload is not a JSON object");
  const { at, ...rest } = parsed as Record<string, unknown>;
  return { event: kind, at: new Date(typeof at === "number" ? at : 0).toISOString(), delivery: id, ...rest };
}
