// One mirror's delivery loop: strictly sequential. It reads the oldest pending rows, coalesces them,
// delivers key by key and acknowledges each key only after the provider did (so a crash at any point
// redelivers, never loses). A failure records the error and parks the mirror until its nextTryAt.

import type { Clock } from "../../core/clock.js";
import { isBeaconError, toBeaconError } from "../../core/errors.js";
import { clip } from "../../providers/errors.js";
import type { Provider } from "../../providers/types.js";
import type { MirrorTarget } from "../../store/types.js";
import type { MirrorStore } from "../../store/ports.js";
import type { Log } from "../../core/log.js";
import { coalesce } from "./coalesce.js";
import { deliver } from "./deliver.js";
import type { TimerHandle, Timers } from "../../core/timers.js";

export const FIRST_BACKOFF_MS = 1_000;

export interface RunnerDeps {
  readonly store: MirrorStore;
  readonly provider: (m: MirrorTarget) => Provider;
  readonly clock: Clock;
  readonly log: Log;
  readonly timers: Timers;
  readonly maxBackoffMs: number;
  readonly deliveryTimeoutMs: number;
  readonly batchSize: number;
}

/** Delay after the `attempts`-th failure in a row: 1 s doubling up to `max`, or longer if the vendor asked. */
export function backoffMs(attempts: number, max: number, retryAfterMs?: number): number {
  const exp = Math.min(max, FIRST_BACKOFF_MS * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return retryAfterMs !== undefined && retryAfterMs > exp ? retryAfterMs : exp;
}

function retryAfterOf(e: unknown): number | undefined {
  const v = isBeaconError(e) ? e.details?.["retryAfterMs"] : undefined;
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;
}

export class MirrorRunner {
  #provider: Provider | undefined;
  #timer: TimerHandle | undefined;
  #loop: Promise<void> | undefined;
  #dirty = false;
  #stopped = false;

  /** `attempts`: failures in a row so far (from the store), so a restart continues the backoff. */
  constructor(
    readonly target: MirrorTarget,
    private attempts: number,
    private readonly deps: RunnerDeps,
  ) {}

  /** There may be new rows: run now unless running (then once more after) or parked until nextTryAt. */
  kick(): void {
    this.#dirty = true;
    if (this.#stopped || this.#loop !== undefined || this.#timer !== undefined) return;
    this.#loop = this.run().finally(() => {
      this.#loop = undefined;
    });
  }

  /** No new deliveries; resolves when the one in flight (if any) has finished and been recorded. */
  stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.deps.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.#loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const { store, clock, log } = this.deps;
    const id = this.target.id;
    while (this.#dirty && !this.#stopped) {
      this.#dirty = false;
      try {
        const rows = await store.pendingOutbox(id, this.deps.batchSize);
        if (rows.length === 0) return;
        this.#dirty = true; // a full batch may have more behind it
        for (const d of coalesce(rows)) {
          if (this.#stopped) return;
          this.#provider ??= this.deps.provider(this.target);
          const result = await deliver(
            this.#provider,
            d.entry,
            this.deps.timers,
            this.deps.deliveryTimeoutMs,
          );
          const { fqdn, type, seq } = d.entry;
          await store.ackOutbox(id, d.seqs, clock(), result.outcome);
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
    const err = toBeaconError(e);
    // `internal` hides its cause's words in the catalogue message; keep a clipped version for people.
    const message = err.code === "internal" && e instanceof Error ? clip(e.message) : err.message;
    this.attempts += 1;
    const at = clock();
    const delay = backoffMs(this.attempts, this.deps.maxBackoffMs, retryAfterOf(e));
    const nextTryAt = at + delay;
    log.warn(
      { mirror: this.target.id, code: err.code, err: message, attempts: this.attempts, retryInMs: delay },
      "mirror delivery failed; will retry",
    );
    try {
      await store.failMirror(this.target.id, { code: err.code, message, at, nextTryAt });
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
