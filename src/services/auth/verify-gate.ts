// Password checks cost ~32 MiB and tens of milliseconds of scrypt each. The gate runs at most
// `concurrency` of them at once and queues at most `maxWaiting` more; beyond that it refuses at once
// (too_many_attempts), so a flood of sign-in requests can exhaust neither memory nor the login limiter
// (each queued attempt consults the limiter when its turn comes, seeing every earlier failure).

import { BeaconError } from "../../core/errors.js";

export interface VerifyGate {
  /** Runs `fn` when a slot is free; too_many_attempts (Retry-After 1 s) when the queue is full. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createVerifyGate(opts: { concurrency?: number; maxWaiting?: number } = {}): VerifyGate {
  const concurrency = opts.concurrency ?? 2;
  const maxWaiting = opts.maxWaiting ?? 64;
  let running = 0;
  const waiting: (() => void)[] = [];

  function release(): void {
    const next = waiting.shift();
    if (next !== undefined) next();
    else running--;
  }

  return {
    async run(fn) {
      if (running >= concurrency) {
        if (waiting.length >= maxWaiting)
          throw new BeaconError("too_many_attempts", "too many sign-in attempts at once; try again shortly", {
            details: { retryAfterSeconds: 1 },
          });
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
