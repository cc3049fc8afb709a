import { describe, expect, it } from "vitest";
import { createGroupCommit } from "./group-commit.js";
import { createWriteQueue, type WriteQueue } from "./write-queue.js";

/** A promise resolved from outside. */
function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Lets every pending promise callback run. */
const drain = () => new Promise((r) => setImmediate(r));

/**
 * A group commit whose `defer` runs when the test says (`turn`), whose `apply` records each batch and
 * waits for `applying` when set, answering each item with its double, and whose `settled` waits for `settling`.
 */
function harness(opts: { maxBatch?: number; queue?: WriteQueue } = {}) {
  const batches: number[][] = [];
  const deferred: (() => void)[] = [];
  let applying: Promise<void> | undefined;
  let settling: Promise<void> = Promise.resolve();
  const submit = createGroupCommit<number, number>({
    queue: opts.queue ?? createWriteQueue(),
    apply: async (items) => {
      batches.push([...items]);
      await applying;
      return items.map((n) => n * 2);
    },
    settled: () => settling,
    defer: (fn) => deferred.push(fn),
    ...(opts.maxBatch === undefined ? {} : { maxBatch: opts.maxBatch }),
  });
  return {
    submit,
    batches,
    turn: () => deferred.splice(0).forEach((fn) => fn()),
    holdApply: (p: Promise<void> | undefined): void => {
      applying = p;
    },
    holdSettled: (p: Promise<void>): void => {
      settling = p;
    },
  };
}

describe("group commit", () => {
  it("applies the items submitted before the deferred turn together, each getting its own result", async () => {
    const h = harness();
    const results = [h.submit(1), h.submit(2), h.submit(3)];
    await drain();
    expect(h.batches).toEqual([]);
    h.turn();
    expect(await Promise.all(results)).toEqual([2, 4, 6]);
    expect(h.batches).toEqual([[1, 2, 3]]);
  });

  it("gathers the items arriving while a batch is being applied into the next batch", async () => {
    const h = harness();
    const first = gate();
    h.holdApply(first.promise);
    const a = h.submit(1);
    h.turn();
    await drain();
    expect(h.batches).toEqual([[1]]);
    h.holdApply(undefined);
    const later = [h.submit(2), h.submit(3)];
    h.turn();
    await drain();
    expect(h.batches).toEqual([[1]]); // the queue holds the next batch until the first is applied
    first.open();
    expect(await Promise.all([a, ...later])).toEqual([2, 4, 6]);
    expect(h.batches).toEqual([[1], [2, 3]]);
  });

  it("applies at most maxBatch items at a time, in arrival order", async () => {
    const h = harness({ maxBatch: 2 });
    const results = [1, 2, 3, 4, 5].map((n) => h.submit(n));
    h.turn();
    expect(await Promise.all(results)).toEqual([2, 4, 6, 8, 10]);
    expect(h.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("answers once settled, without holding the queue meanwhile", async () => {
    const h = harness();
    const settle = gate();
    h.holdSettled(settle.promise);
    let answered = false;
    const first = h.submit(1).then((r) => ((answered = true), r));
    h.turn();
    await drain();
    expect(h.batches).toEqual([[1]]);
    const second = h.submit(2);
    h.turn();
    await drain();
    expect(h.batches).toEqual([[1], [2]]);
    expect(answered).toBe(false);
    settle.open();
    expect(await Promise.all([first, second])).toEqual([2, 4]);
  });

  it("runs its batches in the write queue, after the tasks queued before them", async () => {
    const queue = createWriteQueue();
    const h = harness({ queue });
    const other = gate();
    const log: string[] = [];
    const task = queue.run(async () => {
      await other.promise;
      log.push("other task");
    });
    const result = h.submit(1).then((r) => log.push(`item ${r}`));
    h.turn();
    await drain();
    expect(h.batches).toEqual([]);
    other.open();
    await Promise.all([task, result]);
    expect(log).toEqual(["other task", "item 2"]);
  });
});
