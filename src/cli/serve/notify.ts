// The webhooks of `beacon serve` (docs/webhooks.md): the delivery worker (every node delivers; each
// webhook's events go one at a time, by one node), the address-change follower (one node at a time
// turns the change log's A/AAAA changes into events) and the Notifier the pools' publisher emits
// through. Built on the real HTTP client, the system timers and randomness, this node's id. Returned
// unstarted: serve starts it once everything is wired; what the outbox holds then (events enqueued
// before a crash or restart) is delivered. kick() runs both at once (after a commit, or when another
// node or process may have committed); stop() ends the attempts in flight and frees the follower.

import { randomUUID } from "node:crypto";
import type { Registry } from "prom-client";

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { systemTimers } from "../../core/timers.js";
import { createHttpRequest } from "../../net/http-request.js";
import { registerWebhookMetrics } from "../../observability/webhook-metrics.js";
import type { Notifier } from "../../services/notify/events.js";
import { ChangeFollower } from "../../services/notify/follower.js";
import { createNotifier } from "../../services/notify/notifier.js";
import { DeliveryWorker } from "../../services/notify/worker.js";
import type { ChangeFeed, NotifyStore } from "../../store/ports.js";
import { VERSION } from "../version.js";
import { newNodeId } from "./node-id.js";

export interface Webhooks {
  readonly notifier: Notifier;
  start(): void;
  kick(): void;
  stop(): Promise<void>;
}

export function wireWebhooks(d: {
  readonly store: NotifyStore & Pick<ChangeFeed, "changeSeq">;
  readonly clock: Clock;
  readonly log: Log;
  readonly registry: Registry;
}): Webhooks {
  const node = newNodeId();
  const worker = new DeliveryWorker({
    store: d.store,
    http: createHttpRequest(),
    node,
    userAgent: `Beacon/${VERSION}`,
    clock: d.clock,
    timers: systemTimers,
    random: Math.random,
    log: d.log,
    onOutcome: registerWebhookMetrics(d.registry, () => d.store.notificationQueue()),
  });
  const follower = new ChangeFollower({
    store: d.store,
    node,
    clock: d.clock,
    timers: systemTimers,
    log: d.log,
    onEnqueued: () => worker.wake(),
  });
  return {
    notifier: createNotifier({
      store: d.store,
      clock: d.clock,
      newId: randomUUID,
      wake: () => worker.wake(),
    }),
    start() {
      worker.start();
      follower.start();
    },
    kick() {
      follower.wake();
      worker.wake();
    },
    async stop() {
      await Promise.all([worker.stop(), follower.stop()]);
    },
  };
}
