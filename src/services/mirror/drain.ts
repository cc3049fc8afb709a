// The synchronous form of mirror delivery, for runtimes with no background (AWS Lambda): one bounded
// pass over one mirror's outbox, run inside a request (services/acknowledged-updates.ts) or by a
// schedule (drainAll). It delivers exactly as the background runner does (runner.ts): coalesced,
// key by key through deliver(), each key acknowledged only after the provider accepted it and fenced
// by the mirror's lease, so a crash at any point redelivers and never loses.
//
// One pass:
// 1. Reads the mirror's state. Absent (removed meanwhile): `gone`. Parked (nextTryAt in the future,
//    after a failure): it does not call the vendor before then — every request of a busy zone would
//    otherwise hammer a failing Route 53 — and reports the rows waiting and the time of the next try.
// 2. Takes the lease. Held by another invocation (delivering the same zone): looks again every
//    LEASE_POLL_MS until the budget ends, so concurrent updates of one zone wait for each other instead
//    of failing; that holder usually delivers this request's rows too.
// 3. Reads the oldest rows (batchSize), coalesces them and delivers key by key, each within
//    min(deliveryTimeoutMs, what is left of the budget); reads the next batch after a full one.
// 4. A vendor failure is recorded as the runner records it (failMirror: attempts, lastError, nextTryAt
//    from backoffMs, honouring the vendor's Retry-After) and ends the pass. A delivery cut short by the
//    budget (not by deliveryTimeoutMs) is no failure of the vendor: nothing is recorded.
// 5. Frees the lease (a failed mirror is kept from other invocations by its nextTryAt instead).
//
// Never throws, and never waits for the vendor or a lease past `deadline` (the store calls that record
// what happened may end after it): every failure is a value.
// `pending` lists the keys of the last batch read that are still in the outbox; `more` says that batch
// was full, so rows beyond it (any name) may be pending too.

import type { Clock } from "../../core/clock.js";
import { toBeaconError } from "../../core/errors.js";
import type { Log } from "../../core/log.js";
import type { Timers } from "../../core/timers.js";
import type { RecordType } from "../../core/records.js";
import type { Provider } from "../../providers/types.js";
import type { MirrorStore } from "../../store/ports.js";
import type { MirrorStatus, MirrorTarget, OutboxEntry } from "../../store/types.js";
import { coalesce } from "./coalesce.js";
import { deliver } from "./deliver.js";
import { mirrorFailure } from "./failure.js";
import { DEFAULT_DELIVERY_TIMEOUT_MS, DEFAULT_MAX_BACKOFF_MS } from "./worker.js";

/** How often a pass looks again at a lease another invocation holds. */
export const LEASE_POLL_MS = 100;
const DEFAULT_BATCH = 100;

export interface DrainDeps {
  readonly store: MirrorStore;
  /** Builds the provider of a mirror (may throw, e.g. bad settings: recorded as a failure). */
  readonly provider: (m: MirrorTarget) => Provider;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly log: Log;
  /** This invocation's id (unique per process): the owner of the leases it takes. */
  readonly node: string;
  readonly maxBackoffMs?: number;
  readonly deliveryTimeoutMs?: number;
  readonly batchSize?: number;
  /** Above 1.5 × deliveryTimeoutMs (runner.ts); 2 × by default. */
  readonly leaseMs?: number;
}

export interface SetKey {
  readonly fqdn: string;
  readonly type: RecordType;
}

/** Why a pass ended with rows left. */
export interface DrainStop {
  /**
   * failed: this pass's delivery failed (or the store did); parked: an earlier failure's nextTryAt is
   * still ahead; busy: another invocation held the lease until the budget ended (or took it over);
   * out_of_time: the budget ended first.
   */
  readonly reason: "failed" | "parked" | "busy" | "out_of_time";
  /** failed and parked: the error (vendor words clipped, never a secret). */
  readonly error?: { readonly code: string; readonly message: string };
  /** When the mirror will be tried again, if a failure was recorded. */
  readonly nextTryAt?: number;
}

export interface DrainResult {
  readonly mirror: string;
  /** The mirror was removed: it has no rows. */
  readonly gone: boolean;
  /** Keys the provider accepted in this pass, in delivery order. */
  readonly delivered: readonly SetKey[];
  /** Keys still waiting among the rows last read. */
  readonly pending: readonly SetKey[];
  /** The last read was a full batch: more rows, of any name, may be waiting behind it. */
  readonly more: boolean;
  /** Undefined when the pass ended with the outbox drained. */
  readonly stop: DrainStop | undefined;
}

/** Whether `fqdn` may still have rows waiting after the pass. */
export function mayBePending(r: DrainResult, fqdn: string): boolean {
  return r.stop !== undefined && (r.more || r.pending.some((k) => k.fqdn === fqdn));
}

/** One bounded pass over `target`'s outbox until `deadline` (the deps' clock). Never throws. */
export async function drainMirror(
  target: MirrorTarget,
  deps: DrainDeps,
  deadline: number,
): Promise<DrainResult> {
  const { store, clock, timers, log, node } = deps;
  const deliveryTimeoutMs = deps.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const leaseMs = deps.leaseMs ?? 2 * deliveryTimeoutMs;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;
  const id = target.id;
  const delivered: SetKey[] = [];
  let rows: OutboxEntry[] = [];
  let heldAt: number | undefined;
  /** The last read filled a batch: rows may wait behind it. */
  let full = false;

  const end = (stop: DrainStop | undefined, gone = false): DrainResult => ({
    mirror: id,
    gone,
    delivered,
    pending: stop === undefined ? [] : keysOf(rows),
    more: stop !== undefined && full,
    stop,
  });

  /** Ends a pass that delivers nothing: what waits, if anything (another pass may have delivered it). */
  async function waiting(stop: DrainStop): Promise<DrainResult> {
    rows = await store.pendingOutbox(id, batchSize);
    full = rows.length >= batchSize;
    return end(rows.length === 0 ? undefined : stop);
  }

  /** Takes the lease, or renews it once a third has passed; false when another owner holds it. */
  async function hold(): Promise<boolean> {
    const now = clock();
    if (heldAt !== undefined && now - heldAt < leaseMs / 3) return true;
    const held = await store.claimMirror(id, node, now, leaseMs);
    heldAt = held ? now : undefined;
    return held;
  }

  /** Until the lease is ours: the mirror's state when it was, or how the pass ends. */
  async function acquire(): Promise<MirrorStatus | DrainResult> {
    for (;;) {
      const status = (await store.mirrorStatus()).find((s) => s.id === id);
      if (status === undefined) return end(undefined, true);
      if (status.nextTryAt !== undefined && status.nextTryAt > clock()) {
        const error = status.lastError && { code: status.lastError.code, message: status.lastError.message };
        return waiting({ reason: "parked", nextTryAt: status.nextTryAt, ...(error ? { error } : {}) });
      }
      const other = status.lease !== undefined && status.lease.owner !== node && status.lease.until > clock();
      if (!other && (await hold())) return status;
      const wait = Math.min(LEASE_POLL_MS, deadline - clock());
      if (wait <= 0) return waiting({ reason: "busy" });
      await new Promise<void>((resolve) => timers.setTimeout(resolve, wait));
    }
  }

  async function pass(): Promise<DrainResult> {
    const status = await acquire();
    if (!("attempts" in status)) return status;
    let provider: Provider | undefined;
    for (;;) {
      rows = await store.pendingOutbox(id, batchSize);
      full = rows.length >= batchSize;
      if (rows.length === 0) return end(undefined);
      for (const d of coalesce(rows)) {
        const left = deadline - clock();
        if (left <= 0) return end({ reason: "out_of_time" });
        if (!(await hold())) return end({ reason: "busy" });
        const timeout = Math.min(deliveryTimeoutMs, left);
        let outcome;
        try {
          provider ??= deps.provider(target);
          outcome = (await deliver(provider, d.entry, timers, timeout)).outcome;
        } catch (e) {
          const cut = timeout < deliveryTimeoutMs && toBeaconError(e).code === "aborted";
          return end(cut ? { reason: "out_of_time" } : await failed(e, status.attempts + 1));
        }
        if (!(await store.ackOutbox(id, d.seqs, clock(), outcome, node))) return end({ reason: "busy" });
        const done = new Set(d.seqs);
        rows = rows.filter((r) => !done.has(r.seq));
        if (outcome === "delivered") delivered.push({ fqdn: d.entry.fqdn, type: d.entry.type });
        else
          log.warn(
            { mirror: id, fqdn: d.entry.fqdn, type: d.entry.type },
            "mirror cannot hold this change; skipped",
          );
      }
      if (!full) return end(undefined);
    }
  }

  /** Records the failure (fenced by the lease) and says when the mirror is tried again. */
  async function failed(e: unknown, attempts: number): Promise<DrainStop> {
    const { failure, delayMs } = mirrorFailure(
      e,
      attempts,
      clock(),
      deps.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
    );
    log.warn(
      { mirror: id, code: failure.code, err: failure.message, attempts, retryInMs: delayMs },
      "mirror delivery failed; will retry",
    );
    const error = { code: failure.code, message: failure.message };
    if (!(await store.failMirror(id, failure, node))) return { reason: "busy" };
    return { reason: "failed", error, nextTryAt: failure.nextTryAt };
  }

  try {
    return await pass();
  } catch (e) {
    const err = toBeaconError(e);
    log.warn({ mirror: id, err: e, code: err.code }, "mirror pass failed");
    return end({ reason: "failed", error: { code: err.code, message: err.message } });
  } finally {
    if (heldAt !== undefined) {
      await store.releaseMirror(id, node).catch((e: unknown) => {
        log.warn({ mirror: id, err: e }, "could not free the mirror lease");
      });
    }
  }
}

function keysOf(rows: readonly OutboxEntry[]): SetKey[] {
  return coalesce(rows).map(({ entry }) => ({ fqdn: entry.fqdn, type: entry.type }));
}

export interface DrainSummary {
  readonly mirrors: number;
  /** Keys delivered. */
  readonly delivered: number;
  /** Keys still waiting among the rows read (a lower bound when a mirror had more). */
  readonly pending: number;
  /** Mirrors whose pass ended with a failure, this one or an earlier one still parking it. */
  readonly failed: number;
}

/**
 * The scheduled retry: one pass over every mirror, one after the other, all within `budgetMs`. Never
 * throws (a store that cannot list the mirrors is logged and counts nothing).
 */
export async function drainAll(deps: DrainDeps & { readonly budgetMs: number }): Promise<DrainSummary> {
  const deadline = deps.clock() + deps.budgetMs;
  let mirrors: MirrorTarget[];
  try {
    mirrors = await deps.store.listMirrors();
  } catch (e) {
    deps.log.warn({ err: e }, "could not read the mirror targets");
    return { mirrors: 0, delivered: 0, pending: 0, failed: 0 };
  }
  let delivered = 0;
  let pending = 0;
  let failed = 0;
  for (const m of mirrors) {
    const r = await drainMirror(m, deps, deadline);
    delivered += r.delivered.length;
    pending += r.pending.length;
    if (r.stop?.reason === "failed" || r.stop?.reason === "parked") failed += 1;
  }
  return { mirrors: mirrors.length, delivered, pending, failed };
}
