// The rate-limit buckets of one process (core/rate.ts), in memory, so deciding a request costs a few map
// lookups and never waits for the store. Buckets of rates whose period is at least `persistFromMs`
// (a day's or an hour's budget, which a restart must not reset) are written behind: flush() adds what
// this process consumed since its last flush to the store (LimitStore.saveLimitBuckets, which also
// hands back what other processes consumed), load() reads them at start. Shorter windows stay in memory.
//
// Several processes on one store (`shared`; PostgreSQL nodes, cli/bucket-sharing.ts: every bucket
// persisted, flushed every second) share their budgets: a flush adds this process's consumption to the
// store and raises each bucket it sends to the combined one. It sends the buckets changed since the last
// flush, those used at all since then (a refused client's bucket too), and those changed in the last
// flush again (what another process saved in the same round comes back one flush later). Between
// flushes a process decides from its own copy, which lacks what the others accepted since it last read
// that bucket back. So, exactly: a client can get beyond its limit what the other processes accepted
// from it in the interval its copy lags (a flush interval or two while the client keeps using this
// process; since its last use here otherwise): at most one burst (the rate's limit) per other process,
// e.g. N × the limit at once for a quiet client sending to N nodes at the same moment. Nothing accepted
// is lost: the client then waits until the combined count is within the limit again
// (docs/limits.md, "Several nodes").
//
// Contract:
// - take() counts an event against every rate of a name only if all of them have room; otherwise it
//   counts nothing and returns the wait in ms (> 0, at most the longest period/limit among the rates);
// - at most `maxEntries` buckets are kept, the least recently used forgotten first (roughly: see
//   below; a forgotten bucket is full again, so memory never decides against a client, it can only
//   forget to);
// - flush() never rejects: a failed save is logged and retried at the next flush.

import type { Clock } from "../../core/clock.js";
import { emissionMs, gcraStep, type Rate } from "../../core/rate.js";
import type { LimitBucketChange } from "../../store/types.js";
import type { LimitStore } from "../../store/ports.js";
import { silentLog, type Log } from "../../core/log.js";

export interface BucketsOptions {
  readonly clock: Clock;
  /** Where long windows persist; none: everything stays in memory. */
  readonly store?: LimitStore;
  /** Buckets of rates with at least this period are persisted; default one hour. */
  readonly persistFromMs?: number;
  /** Default 100,000. */
  readonly maxEntries?: number;
  /** Other processes save the same buckets: read back those in use at each flush (see above). */
  readonly shared?: boolean;
  readonly log?: Log;
}

export interface Buckets {
  /** Counts one event of `name` against every rate; undefined when allowed, else the wait in ms. */
  take(name: string, rates: readonly Rate[]): number | undefined;
  /** What take() would answer, without counting anything (a shared bucket is still read back). */
  wait(name: string, rates: readonly Rate[]): number | undefined;
  /** Empties the name's buckets (here and, at the next flush, in the store). */
  forget(name: string, rates: readonly Rate[]): void;
  /** Reads the persisted buckets (at start). Rejects if the store does. */
  load(): Promise<void>;
  /** Writes what changed in persisted buckets; drops buckets that are full again. Never rejects. */
  flush(): Promise<void>;
}

interface Bucket {
  tat: number;
  /** Time added since the last successful flush (persisted buckets only). */
  consumed: number;
  readonly persist: boolean;
}

export const DEFAULT_PERSIST_FROM_MS = 3_600_000;
const DEFAULT_MAX_ENTRIES = 100_000;

const suffixes = new WeakMap<Rate, string>();

/** The store key of one rate of a name: "host:a.example.com|300/86400000". */
export function bucketKey(name: string, rate: Rate): string {
  let suffix = suffixes.get(rate);
  if (suffix === undefined) {
    suffix = `|${rate.limit}/${rate.periodMs}`;
    suffixes.set(rate, suffix);
  }
  return name + suffix;
}

export function createBuckets(opts: BucketsOptions): Buckets {
  const { clock, store } = opts;
  const persistFromMs = opts.persistFromMs ?? DEFAULT_PERSIST_FROM_MS;
  const half = Math.max(1, Math.floor((opts.maxEntries ?? DEFAULT_MAX_ENTRIES) / 2));
  const log = opts.log ?? silentLog;
  // Two generations instead of an exact LRU (which costs a delete and an insert per use): a bucket
  // used since the last rotation is in `current`; when `current` is full it becomes `previous`, and
  // what was still in `previous` is forgotten. O(1) per use, never more than maxEntries buckets.
  let current = new Map<string, Bucket>();
  let previous = new Map<string, Bucket>();
  /** Persisted buckets changed since the last flush (kept even if forgotten meanwhile). */
  const dirty = new Map<string, Bucket>();
  const forgotten = new Set<string>();
  /** Shared persisted buckets to read back at the next flush though unchanged (used, or just saved). */
  const readBack = new Set<string>();
  const shared = opts.shared === true && store !== undefined;
  const used = (key: string, rate: Rate): void => {
    if (shared && persists(rate)) readBack.add(key);
  };
  const persists = (rate: Rate) => store !== undefined && rate.periodMs >= persistFromMs;

  function keep(key: string, bucket: Bucket): void {
    if (current.has(key)) return;
    previous.delete(key);
    current.set(key, bucket);
    if (current.size >= half) {
      previous = current;
      current = new Map();
    }
  }

  return {
    take(name, rates) {
      if (rates.length === 0) return undefined;
      const now = clock();
      const keys: string[] = [];
      const found: (Bucket | undefined)[] = [];
      const next: number[] = [];
      let wait = 0;
      for (const rate of rates) {
        const key = bucketKey(name, rate);
        const bucket = current.get(key) ?? previous.get(key);
        const step = gcraStep(bucket?.tat, rate, now);
        used(key, rate);
        if (step.ok) next.push(step.tat);
        else wait = Math.max(wait, step.waitMs);
        keys.push(key);
        found.push(bucket);
      }
      if (wait > 0) return Math.ceil(wait);
      rates.forEach((rate, i) => {
        const key = keys[i]!;
        const bucket = found[i] ?? { tat: 0, consumed: 0, persist: persists(rate) };
        bucket.tat = next[i]!;
        if (bucket.persist) {
          bucket.consumed += emissionMs(rate);
          dirty.set(key, bucket);
        }
        keep(key, bucket);
      });
      return undefined;
    },

    wait(name, rates) {
      const now = clock();
      let wait = 0;
      for (const rate of rates) {
        const key = bucketKey(name, rate);
        const step = gcraStep((current.get(key) ?? previous.get(key))?.tat, rate, now);
        used(key, rate);
        if (!step.ok) wait = Math.max(wait, step.waitMs);
      }
      return wait > 0 ? Math.ceil(wait) : undefined;
    },

    forget(name, rates) {
      for (const rate of rates) {
        const key = bucketKey(name, rate);
        current.delete(key);
        previous.delete(key);
        dirty.delete(key);
        readBack.delete(key);
        if (persists(rate)) forgotten.add(key);
      }
    },

    async load() {
      if (store === undefined) return;
      for (const { key, tat } of await store.loadLimitBuckets(clock())) {
        const mine = current.get(key) ?? previous.get(key);
        if (mine === undefined) keep(key, { tat, consumed: 0, persist: true });
        else if (mine.tat < tat) mine.tat = tat;
      }
    },

    async flush() {
      const now = clock();
      for (const map of [current, previous])
        for (const [key, b] of map) if (b.tat <= now && !dirty.has(key)) map.delete(key);
      if (store === undefined || (dirty.size === 0 && forgotten.size === 0 && readBack.size === 0)) return;
      const sent: [string, Bucket][] = [...dirty];
      const changes: LimitBucketChange[] = sent.map(([key, b]) => ({
        key,
        consumedMs: b.consumed,
        tat: b.tat,
      }));
      // Read back what we hold or have none of yet, adding nothing: consumed 0 and tat now, so a missing
      // row is inserted as expired and dropped at once, and a row another node deleted (forget) is not
      // written again from our copy; a saved one comes back and raises our copy (or becomes it).
      const reread = [...readBack].filter((key) => !dirty.has(key));
      for (const key of reread) {
        sent.push([key, current.get(key) ?? previous.get(key) ?? { tat: now, consumed: 0, persist: true }]);
        changes.push({ key, consumedMs: 0, tat: now });
      }
      readBack.clear();
      if (shared) for (const [key] of dirty) readBack.add(key);
      const drop = [...forgotten];
      const wasDirty = new Set(dirty.keys());
      dirty.clear();
      forgotten.clear();
      try {
        if (drop.length > 0) await store.deleteLimitBuckets(drop);
        const saved = new Map((await store.saveLimitBuckets(changes, now)).map((b) => [b.key, b.tat]));
        for (const [i, [key, b]] of sent.entries()) {
          b.consumed = Math.max(0, b.consumed - changes[i]!.consumedMs);
          // What other processes consumed shows up here; our own view never goes back.
          const tat = saved.get(key);
          if (tat !== undefined && tat > b.tat) {
            b.tat = tat;
            if (!current.has(key) && !previous.has(key) && !forgotten.has(key)) keep(key, b);
          }
        }
      } catch (e) {
        for (const [key, b] of sent) if (wasDirty.has(key) && !dirty.has(key)) dirty.set(key, b);
        for (const key of reread) readBack.add(key);
        for (const k of drop) forgotten.add(k);
        log.warn({ err: e, buckets: changes.length }, "could not save rate-limit buckets; retrying later");
      }
    },
  };
}
