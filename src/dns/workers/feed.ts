// The zone-index feed of the UDP query workers: what each worker slot is sent, numbered by `seq`, and
// how far each has acked, so the update path can wait until every worker applied a change.
//
// Contract: a slot given a new worker (`provision`) gets a snapshot read from then on plus every
// change committed since the read began (buffered while it runs) in one `load`; from then on each
// change as it happens, batched per tick (one `changes` message per microtask turn), in order, with
// the seq of the last change in it. `load(snapshot)` replaces every worker's index (a fetching slot
// gets it instead of the snapshot being read). A read that fails calls `readFailed` for each slot that
// still holds the same worker (the pool restarts it). `settled()` resolves when every loaded slot acked
// the last seq sent, or after `settleTimeoutMs` (a warning at most every WARN_EVERY_MS), so a stuck
// worker delays updates, never blocks them. Slots are numbered from 1.
//
// Callers must: call `provision` when they fork a worker into a slot, `acked` for its ack and ready
// messages, `detach` when it exits, and `release` on close. `send` never throws (the pool drops what a
// worker cannot take). Besides `send` and the injected timers and clock this module touches nothing.
//
// Answer steering rules (dns/answer/steering.ts) ride the same batches: `steeringChanged` is numbered
// and sent like a store change (so a rule reaches every loaded worker at the end of the tick it was set
// in, after the index changes made before it in that tick, and `settled()` waits for it), and every
// `load` carries the whole rule list (`rules()`) read when it is sent.

import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import type { Timers } from "../../core/timers.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Snapshot } from "../../store/types.js";
import type { SteeringEntry, SteeringRules } from "../answer/steering.js";
import { recordingListener, type Change, type PrimaryMessage } from "./protocol.js";

export interface WorkerFeedOptions {
  /** ≥ 1. */
  readonly slots: number;
  /** Delivers `m` to the worker in slot `n` (1-based). Never throws. */
  readonly send: (n: number, m: PrimaryMessage) => void;
  /** A consistent read of the store, for a worker's first load. */
  readonly snapshot: () => Promise<Snapshot>;
  /** The snapshot read for slot `n`'s worker failed: it should be restarted. */
  readonly readFailed: (n: number) => void;
  /** The primary's answer steering rules now, sent with every load. Default: none (not sent). */
  readonly rules?: () => readonly SteeringEntry[];
  readonly settleTimeoutMs: number;
  readonly timers: Timers;
  readonly clock: Clock;
  readonly log: Log;
}

export interface WorkerFeed {
  /** Where the store's commits come in (each call is one change, sent at the end of the tick). */
  readonly listener: ChangeListener;
  /** An answer steering rule changed (sent at the end of the tick, numbered like a change). */
  readonly steeringChanged: SteeringRules["set"];
  /** Replaces every worker's index (the primary reloaded after an outside change). */
  load(snapshot: Snapshot): void;
  /** Resolves when every loaded worker has applied every change told so far (bounded). */
  settled(): Promise<void>;
  /** Slots `ns` hold new workers: reads a snapshot for them and sends it with what changed meanwhile. */
  provision(ns: readonly number[]): void;
  /** Slot `n`'s worker has applied everything up to `seq`. */
  acked(n: number, seq: number): void;
  /** Slot `n`'s worker is gone: it is sent nothing more and `settled()` no longer waits for it. */
  detach(n: number): void;
  /** Resolves every pending `settled()` now (close). */
  release(): void;
}

const WARN_EVERY_MS = 5_000;

interface FeedSlot {
  readonly n: number;
  /** idle: no worker or nothing sent; fetching: its snapshot is being read; loaded: load sent. */
  phase: "idle" | "fetching" | "loaded";
  /** Changes since the snapshot read began (phase fetching). */
  buffer: Change[];
  /** A snapshot given by load() while fetching: newer than the one being read. */
  latest: Snapshot | undefined;
  acked: number;
  /** Bumped per provision and detach, so a read finishing late knows its worker is gone. */
  generation: number;
}

export function createWorkerFeed(opts: WorkerFeedOptions): WorkerFeed {
  const { log, timers } = opts;
  const slots: FeedSlot[] = Array.from({ length: opts.slots }, (_, i) => ({
    n: i + 1,
    phase: "idle",
    buffer: [],
    latest: undefined,
    acked: -1,
    generation: 0,
  }));
  const slot = (n: number): FeedSlot => {
    const s = slots[n - 1];
    if (s === undefined) throw new RangeError(`no dns worker slot ${n}`);
    return s;
  };
  let seq = 0;
  let batch: Change[] = [];
  let flushQueued = false;
  let lastWarn = 0;
  const waiters = new Set<{ target: number; done: () => void }>();

  const caughtUp = (target: number): boolean => slots.every((s) => s.phase !== "loaded" || s.acked >= target);
  const wake = (): void => {
    for (const w of waiters) if (caughtUp(w.target)) w.done();
  };

  /** Sends the tick's changes to loaded workers and buffers them for fetching ones. */
  const flush = (): void => {
    flushQueued = false;
    if (batch.length === 0) return;
    const changes = batch;
    batch = [];
    for (const s of slots) {
      if (s.phase === "loaded") opts.send(s.n, { kind: "changes", seq, changes });
      else if (s.phase === "fetching") s.buffer.push(...changes);
    }
  };
  const record = (c: Change): void => {
    seq++;
    batch.push(c);
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  };
  const listener = recordingListener(record);
  const loadMessage = (snapshot: Snapshot, changes: readonly Change[]): PrimaryMessage =>
    opts.rules === undefined
      ? { kind: "load", seq, snapshot, changes }
      : { kind: "load", seq, snapshot, changes, steering: opts.rules() };

  const warnBehind = (target: number): void => {
    const now = opts.clock();
    if (now - lastWarn < WARN_EVERY_MS) return;
    lastWarn = now;
    const behind = slots.filter((s) => s.phase === "loaded" && s.acked < target).map((s) => s.n);
    log.warn({ dnsWorkers: behind, waitedMs: opts.settleTimeoutMs }, "dns workers slow to apply a change");
  };

  return {
    listener,
    steeringChanged: (name, type, rule) => record({ op: "steering", name, type, rule }),
    load(snapshot) {
      flush();
      seq++;
      for (const s of slots) {
        if (s.phase === "loaded") opts.send(s.n, loadMessage(snapshot, []));
        else if (s.phase === "fetching") Object.assign(s, { latest: snapshot, buffer: [] });
      }
    },
    settled() {
      flush();
      const target = seq;
      if (caughtUp(target)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const waiter = {
          target,
          done: () => {
            timers.clearTimeout(timer);
            waiters.delete(waiter);
            resolve();
          },
        };
        const timer = timers.setTimeout(() => {
          warnBehind(target);
          waiter.done();
        }, opts.settleTimeoutMs);
        waiters.add(waiter);
      });
    },
    provision(ns) {
      flush();
      const group = ns.map(slot);
      for (const s of group)
        Object.assign(s, {
          phase: "fetching",
          buffer: [],
          latest: undefined,
          acked: -1,
          generation: s.generation + 1,
        });
      const generations = group.map((s) => s.generation);
      opts.snapshot().then(
        (snapshot) => {
          flush();
          group.forEach((s, i) => {
            if (s.generation !== generations[i] || s.phase !== "fetching") return;
            opts.send(s.n, loadMessage(s.latest ?? snapshot, s.buffer));
            Object.assign(s, { phase: "loaded", buffer: [], latest: undefined });
          });
        },
        (err: unknown) => {
          log.error({ err }, "dns worker: could not read the store for a worker's index; restarting it");
          group.forEach((s, i) => {
            if (s.generation === generations[i]) opts.readFailed(s.n);
          });
        },
      );
    },
    acked(n, ack) {
      const s = slot(n);
      s.acked = Math.max(s.acked, ack);
      wake();
    },
    detach(n) {
      Object.assign(slot(n), {
        phase: "idle",
        buffer: [],
        latest: undefined,
        generation: slot(n).generation + 1,
      });
      wake();
    },
    release() {
      for (const w of waiters) w.done();
    },
  };
}
