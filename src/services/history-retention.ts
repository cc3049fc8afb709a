// Retention by age (history.max_age): a periodic sweep deletes entries whose last write is older than
// the limit. Each store call looks at no more than STEP of the oldest entries and a sweep makes at
// most MAX_STEPS calls, so a sweep's work is bounded however large the history is; what is left waits
// for the next sweep. (Retention by count happens in each commit: ChangeBatch.keepPerHost.)

import type { Clock } from "../core/clock.js";
import type { HistoryStore } from "../store/ports.js";

/** Entries looked at per store call. */
export const SWEEP_STEP = 500;
/** Store calls per sweep at most. */
export const SWEEP_MAX_STEPS = 20;

export interface HistorySweeper {
  /** Deletes what is older than the limit, within the bounds above; resolves with how many. */
  sweep(): Promise<number>;
}

export function createHistorySweeper(deps: {
  readonly store: Pick<HistoryStore, "pruneHistory">;
  readonly clock: Clock;
  readonly maxAgeMs: number;
}): HistorySweeper {
  return {
    async sweep() {
      const olderThan = deps.clock() - deps.maxAgeMs;
      let deleted = 0;
      for (let step = 0; step < SWEEP_MAX_STEPS; step++) {
        const n = await deps.store.pruneHistory(olderThan, SWEEP_STEP);
        deleted += n;
        // Fewer than a whole step deleted: the oldest entries left are young enough (or kept).
        if (n < SWEEP_STEP) break;
      }
      return deleted;
    },
  };
}
