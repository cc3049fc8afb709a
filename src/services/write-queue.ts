// Serialises writes so read-compare-write sequences never interleave. One queue shared by every
// service that changes zone content keeps the serials reported to the ChangeListener in order.

export interface WriteQueue {
  /** Runs `fn` after every previously queued task has settled; resolves or rejects with its result. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createWriteQueue(): WriteQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = tail.then(fn, fn);
      // The chain must never reject, or the next task would see a stale failure.
      tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
  };
}
