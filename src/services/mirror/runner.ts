// One mirror's delivery loop: strictly sequential. It reads the oldest pending rows, coalesces them,
// delivers key by key and acknowledges each key only after the provider did (so a crash at any point
// redelivers, never loses). A failure records the error and parks the mirror until its nextTryAt.
//
// Of several nodes on one store, only the holder of the mirror's lease delivers (MirrorStore.
// claimMirror): the loop takes the lease before reading rows and renews it before a delivery once a
// third of it has passed, so a lease covers at most a third of itself plus one delivery (bounded by
// deliveryTimeoutMs) and its ack: leaseMs must exceed 1.5 × deliveryTimeoutMs. Acks and failures
// are fenced by the lease; when one did not take effect, or another node holds the lease, the loop
// stops and looks again once that lease could have expired (a kick looks sooner, at most once per
// LEASE_LOOK_EVERY_MS). A failure keeps the lease over the backoff, so the vendor's retry time holds
// for every node. stop() frees the lease.

import type { Clock } from "../../core/clock.js";
import type { Provider } from "../../providers/types.js";
import type { MirrorTarget } from "../../store/types.js";
import type { MirrorStore } from "../../store/ports.js";
import type { Log } from "../../core/log.js";
import { coalesce } from "./coalesce.js";
import { deliver } from "./deliver.js";
import { mirrorFailure } from "./failure.js";
import type { TimerHandle, Timers } from "../../core/timers.js";

/**
 * While another node holds the lease, a kick looks again only this long after the last look: a busy
 * node kicks on every commit, and each look is a write to the store.
 */
export const LEASE_LOOK_EVERY_MS = 1_000;

export interface RunnerDeps {
  readonly store: MirrorStore;
  readonly provider: (m: MirrorTarget) => Provider;
  readonly clock: Clock;
  readonly log: Log;
  readonly timers: Timers;
  readonly maxBackoffMs: number;
  readonly deliveryTimeoutMs: number;
  readonly batchSize: number;
  /** This node's id: the owner of the leases it takes. */
  readonly node: string;
  readonly leaseMs: number;
}

export class MirrorRunner {
  #provider: Provider | undefined;
  #timer: TimerHandle | undefined;
  #loop: Promise<void> | undefined;
  #dirty = false;
  #stopped = false;
  /** When this node last took or renewed the lease (its clock); undefined while it does not hold it. */
  #heldAt: number | undefined;
  /** When the timer waits for another node's lease (a kick may look sooner), since when. */
  #waitingSince: number | undefined;

  /** `attempts`: failures in a row so far (from the store), so a restart continues the backoff. */
  constructor(
    readonly target: MirrorTarget,
    private attempts: number,
    private readonly deps: RunnerDeps,
  ) {}

  /** There may be new rows: run now unless running (then once more after) or parked until nextTryAt. */
  kick(): void {
    this.#dirty = true;
    if (this.#stopped || this.#loop !== undefined) return;
    if (this.#timer !== undefined) {
      const since = this.#waitingSince;
      if (since === undefined || this.deps.clock() - since < LEASE_LOOK_EVERY_MS) return;
      this.deps.timers.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#waitingSince = undefined;
    }
    this.#loop = this.run().finally(() => {
      this.#loop = undefined;
    });
  }

  /**
   * No new deliveries; resolves when the one in flight (if any) has finished and been recorded, and
   * the lease was freed for another node.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.deps.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#loop;
    if (this.#heldAt === undefined) return;
    this.#heldAt = undefined;
    try {
      await this.deps.store.releaseMirror(this.target.id, this.deps.node);
    } catch (e) {
      this.deps.log.warn({ mirror: this.target.id, err: e }, "could not free the mirror lease");
    }
  }

  /** Takes the lease, or renews it once a third has passed; false when another node holds it. */
  private async hold(): Promise<boolean> {
    const now = this.deps.clock();
    if (this.#heldAt !== undefined && now - this.#heldAt < this.deps.leaseMs / 3) return true;
    const held = await this.deps.store.claimMirror(this.target.id, this.deps.node, now, this.deps.leaseMs);
    this.#heldAt = held ? now : undefined;
    return held;
  }

  /** Another node holds the lease: look again once it could have expired. */
  private waitForLease(): void {
    this.#heldAt = undefined;
    if (this.#stopped) return;
    this.#waitingSince = this.deps.clock();
    this.#timer = this.deps.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#waitingSince = undefined;
      this.kick();
    }, this.deps.leaseMs);
  }

  /** A fenced write did not take effect: another node took the lease over (this one stalled). */
  private lost(): void {
    this.deps.log.info({ mirror: this.target.id }, "mirror lease taken over by another node");
    this.waitForLease();
  }

  private async run(): Promise<void> {
    const { store, clock, log } = this.deps;
    const id = this.target.id;
    while (this.#dirty && !this.#stopped) {
      this.#dirty = false;
      try {
        if (!(await this.hold())) return this.waitForLease();
        const rows = await store.pendingOutbox(id, this.deps.batchSize);
        if (rows.length === 0) return;
        this.#dirty = true; // a full batch may have more behind it
        for (const d of coalesce(rows)) {
          if (this.#stopped) return;
          if (!(await this.hold())) return this.lost();
          this.#provider ??= this.deps.provider(this.target);
          const result = await deliver(
            this.#provider,
            d.entry,
            this.deps.timers,
            this.deps.deliveryTimeoutMs,
          );
          const { fqdn, type, seq } = d.entry;
          if (!(await store.ackOutbox(id, d.seqs, clock(), result.outcome, this.deps.node)))
            return this.lost();
          if (result.outcome === "skipped") {
            log.warn(
              { mirror: id, fqdn, type, seq, reason: result.reason },
              "mirror cannot hold this change; skipped",
            );
          } else {
            this.attempts = 0;
            const op = d.entry.rrset === null ? "delete" : "upsert";
            log.debug({ mirror: id, fqdn, type, seq, op, rows: d.seqs.length }, "mirror change delivered");
          }
        }
      } catch (e) {
        await this.failed(e);
        return;
      }
    }
  }

  /** Records the failure and parks the mirror until nextTryAt. */
  private async failed(e: unknown): Promise<void> {
    const { store, clock, log, timers } = this.deps;
    this.attempts += 1;
    const at = clock();
    const { failure, delayMs: delay } = mirrorFailure(e, this.attempts, at, this.deps.maxBackoffMs);
    log.warn(
      {
        mirror: this.target.id,
        code: failure.code,
        err: failure.message,
        attempts: this.attempts,
        retryInMs: delay,
      },
      "mirror delivery failed; will retry",
    );
    const { node, leaseMs } = this.deps;
    try {
      const recorded = await store.failMirror(this.target.id, failure, node);
      // Held over the backoff, so no other node retries before nextTryAt.
      if (!recorded || !(await store.claimMirror(this.target.id, node, at, delay + leaseMs)))
        return this.lost();
    } catch (storeErr) {
      log.warn({ mirror: this.target.id, err: storeErr }, "could not record the mirror failure");
    }
    if (this.#stopped) return;
    this.#timer = timers.setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, delay);
  }
}
