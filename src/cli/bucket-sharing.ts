// How a server's rate-limit buckets (services/limits/buckets.ts) meet the store, chosen from the store
// kind, and the timer that flushes them. Used by the update limits (update-limits.ts) and the admin
// sign-in limits (admin-console.ts).
//
// - SQLite: one process owns the database. Windows of an hour or more are written behind every 10 s
//   so a restart does not reset them; shorter ones stay in memory.
// - PostgreSQL: several nodes share the database, so every bucket is written, and flushed every
//   second: a flush adds this node's consumption and brings back the other nodes' (saveLimitBuckets).
//   Deciding a request still never waits for the store. The price is that a node decides from its own
//   copy of a bucket, which lacks what the other nodes accepted from that client since this node's last
//   flush of it (docs/limits.md, "Several nodes").
//
// startFlushing: flushes every `everyMs` (never two at once: a tick during a flush is skipped), and
// stop() stops the timer, waits for a flush in flight and writes what is pending; never rejects
// (Buckets.flush never does).

import type { ServerConfig } from "../config/index.js";
import { DEFAULT_PERSIST_FROM_MS, type Buckets } from "../services/limits/buckets.js";
import { systemEvery, type Every } from "./serve/periodic.js";

/** The createBuckets options that depend on the store kind, and the flush interval. */
export interface BucketSharing {
  /** Buckets of rates with at least this period are written to the store. */
  readonly persistFromMs: number;
  /** Other nodes save the same buckets: read back those in use at each flush. */
  readonly shared: boolean;
  readonly flushEveryMs: number;
}

export const SQLITE_FLUSH_EVERY_MS = 10_000;
export const SHARED_FLUSH_EVERY_MS = 1_000;

export function bucketSharing(store: Pick<ServerConfig["store"], "sqlitePath" | "postgres">): BucketSharing {
  return store.postgres === undefined
    ? { persistFromMs: DEFAULT_PERSIST_FROM_MS, shared: false, flushEveryMs: SQLITE_FLUSH_EVERY_MS }
    : { persistFromMs: 0, shared: true, flushEveryMs: SHARED_FLUSH_EVERY_MS };
}

export function startFlushing(
  buckets: Pick<Buckets, "flush">,
  everyMs: number,
  every: Every = systemEvery,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  // A tick while a flush runs is skipped (a slow store must not pile up flushes behind it).
  const flush = (): Promise<void> => (running ??= buckets.flush().finally(() => (running = undefined)));
  const stopTimer = every(everyMs, () => void flush());
  return {
    async stop() {
      stopTimer();
      await running;
      await buckets.flush();
    },
  };
}
