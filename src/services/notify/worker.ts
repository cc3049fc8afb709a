// The webhook delivery worker, one per server node: claims the due head row of each webhook from the
// durable outbox (NotifyStore.claimNotifications: a webhook's rows go one at a time, in order, to one
// node at a time), attempts each (deliver.ts) independently, so a receiver that hangs for its 10 s
// timeout delays only its own webhook, and records the verdict: delivered or given up (removed),
// retried later (failNotification), or the webhook disabled (410 Gone). Rows older than MAX_AGE_MS
// are dropped with a warning and counted (outcome "expired").
// Promises: start() polls every pollMs and wake() runs a pass at once (after an enqueue); stop()
// aborts the attempts in flight, records them as failed (due at once) and resolves when none is left.
// A store failure is logged and retried at the next pass; nothing here throws.

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import type { Random, Timers } from "../../core/timers.js";
import type { HttpRequest } from "../../net/http.js";
import type { NotifyStore, PendingNotification } from "../../store/ports.js";
import { attempt, ATTEMPT_TIMEOUT_MS } from "./deliver.js";
import { PassLoop } from "./pass-loop.js";

/** An event still failing after this long is dropped: a day, long enough to outlast most outages. */
export const MAX_AGE_MS = 86_400_000;
/** How long a claim lasts: well beyond an attempt's timeout. */
const CLAIM_MS = 3 * ATTEMPT_TIMEOUT_MS;
const CLAIM_BATCH = 32;
const DROP_BATCH = 100;

export type DeliveryOutcome = "delivered" | "retry" | "rejected" | "gone" | "expired";

export interface DeliveryWorkerDeps {
  readonly store: Pick<
    NotifyStore,
    | "claimNotifications"
    | "ackNotification"
    | "failNotification"
    | "dropNotifications"
    | "getWebhook"
    | "setWebhookEnabled"
    | "notificationQueue"
  >;
  readonly http: HttpRequest;
  /** This node's id: the owner of its claims. */
  readonly node: string;
  /** `Beacon/<version>`. */
  readonly userAgent: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  readonly log: Log;
  /** Counts each verdict (metrics). */
  readonly onOutcome?: (webhook: string, outcome: DeliveryOutcome) => void;
  /** Default 1 s. */
  readonly pollMs?: number;
}

export class DeliveryWorker {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  readonly #loop: PassLoop;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.#loop = new PassLoop(deps.timers, deps.pollMs ?? 1_000, () => this.pass());
  }

  start(): void {
    this.#loop.start();
  }

  /** Runs a pass now (or right after the one running). */
  wake(): void {
    this.#loop.wake();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop.stop();
    await Promise.all(this.#inFlight.values());
  }

  /** Resolves once no pass and no attempt runs (tests). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
    await this.#loop.settled();
  }

  /** One pass: drop expired rows, claim the due ones, start their attempts. */
  async pass(): Promise<void> {
    const { store, log, clock } = this.deps;
    try {
      if ((await store.notificationQueue()) === 0) return; // idle: one read, no write transaction
      const now = clock();
      for (const r of await store.dropNotifications(now - MAX_AGE_MS, DROP_BATCH)) {
        log.warn(
          { webhook: r.webhook, event: r.kind, delivery: r.id, attempts: r.attempts, lastError: r.lastError },
          "webhook event dropped: still failing after a day",
        );
        this.deps.onOutcome?.(r.webhook, "expired");
      }
      for (const row of await store.claimNotifications(this.deps.node, now, CLAIM_MS, CLAIM_BATCH)) {
        if (this.#inFlight.has(row.webhook)) continue; // our own claim, renewed
        const run = this.#deliver(row).finally(() => {
          this.#inFlight.delete(row.webhook);
          this.wake();
        });
        this.#inFlight.set(row.webhook, run);
      }
    } catch (e) {
      log.warn({ err: e }, "webhook delivery pass failed; retrying");
    }
  }

  async #deliver(row: PendingNotification): Promise<void> {
    const { store, node, log, clock, timers } = this.deps;
    try {
      const hook = await store.getWebhook(row.webhook);
      if (hook === undefined) return; // deleted meanwhile, with its rows
      const controller = new AbortController();
      const onStop = () => controller.abort();
      this.#abort.signal.addEventListener("abort", onStop, { once: true });
      const timeout = timers.setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
      const verdict = await attempt(hook, row, {
        http: this.deps.http,
        userAgent: this.deps.userAgent,
        random: this.deps.random,
        now: clock(),
        signal: controller.signal,
      }).finally(() => {
        timers.clearTimeout(timeout);
        this.#abort.signal.removeEventListener("abort", onStop);
      });
      const at = clock();
      if (this.#abort.signal.aborted && verdict.outcome === "retry") {
        await store.failNotification(row.seq, node, "stopped during the attempt", at);
        return;
      }
      this.deps.onOutcome?.(row.webhook, verdict.outcome);
      if (verdict.outcome === "retry") {
        await store.failNotification(row.seq, node, verdict.error, at + verdict.delayMs);
        return;
      }
      await store.ackNotification(row.seq, node);
      if (verdict.outcome === "gone") {
        await store.setWebhookEnabled(row.webhook, false);
        log.warn({ webhook: row.webhook }, "webhook disabled: the receiver answered 410 Gone");
      } else if (verdict.outcome === "rejected")
        log.warn(
          { webhook: row.webhook, event: row.kind, delivery: row.id, error: verdict.error },
          "webhook event dropped: the receiver refused it",
        );
    } catch (e) {
      log.warn({ err: e, webhook: row.webhook }, "webhook delivery failed to record; the claim will expire");
    }
  }
}
