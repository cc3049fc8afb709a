// Group commit: items arriving while a commit is in flight wait together and share the next one (one
// fsync for many updates). What it promises:
// - the items `submit`ted before `defer` runs its callback, or while a batch is in the queue, go to
//   `apply` together, in arrival order, at most `maxBatch` at a time; batches run in the write queue
//   (write-queue.ts), so one never interleaves with another task of that queue;
// - each item's promise resolves with its own result, but only after `settled` resolved: replies wait
//   until every reader has the change (read your writes) while the queue does not, so the next batch
//   may commit meanwhile.
// Callers must: give an `apply` that never rejects and returns one result per item, in order, and a
// `settled` that never rejects.

import type { WriteQueue } from "./write-queue.js";

export interface GroupCommitDeps<I, R> {
  readonly queue: WriteQueue;
  /** Decides and commits one batch. */
  readonly apply: (items: readonly I[]) => Promise<R[]>;
  /** Resolves once the readers of the last commit have it. */
  readonly settled: () => Promise<void>;
  /** Runs `fn` once the work already under way has had its turn, so it can join the batch. */
  readonly defer: (fn: () => void) => void;
  /** Most items sharing one commit (default 128). */
  readonly maxBatch?: number;
}

/** Returns `submit`: the item's result, once its batch committed and settled. */
export function createGroupCommit<I, R>(deps: GroupCommitDeps<I, R>): (item: I) => Promise<R> {
  const { queue, apply, settled, defer } = deps;
  const maxBatch = deps.maxBatch ?? 128;
  const waiting: { readonly item: I; readonly done: (result: R) => void }[] = [];
  const flush = async (): Promise<void> => {
    const batch = waiting.splice(0, maxBatch);
    if (waiting.length > 0) void queue.run(flush);
    const results = await apply(batch.map((w) => w.item));
    void settled().then(() => batch.forEach((w, i) => w.done(results[i]!)));
  };
  return (item) =>
    new Promise((done) => {
      waiting.push({ item, done });
      if (waiting.length === 1) defer(() => void queue.run(flush));
    });
}
