// The Notifier (events.ts) over the store: emit() enqueues every event's outbox rows in one
// transaction, each event with a fresh id, then wakes the delivery worker. Used by the pools'
// publisher (which holds the publisher lease, so its events are emitted once) and `beacon webhook test`.

import type { Clock } from "../../core/clock.js";
import type { NotifyStore } from "../../store/ports.js";
import { toNotification, type Notifier } from "./events.js";

export interface NotifierDeps {
  readonly store: Pick<NotifyStore, "enqueueNotifications">;
  readonly clock: Clock;
  /** A unique id (crypto.randomUUID in production). */
  readonly newId: () => string;
  /** Called after the rows are durable (the worker's wake). */
  readonly wake?: () => void;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  return {
    async emit(events) {
      if (events.length === 0) return;
      await deps.store.enqueueNotifications(
        events.map((e) => toNotification(e, deps.newId())),
        deps.clock(),
      );
      deps.wake?.();
    },
  };
}
