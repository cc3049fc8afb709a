// Logging a repeating task's failures once per outage: the first failure after a success (or at
// start) is a warning, the ones that follow (the same outage: the store is away, a peer is down) are
// debug lines, and the first success after failures is one info line saying how many there were. A
// task that fails every second while PostgreSQL is away writes two lines, not one a second.
// Never throws.

import type { Log } from "./log.js";

export interface FailureLog {
  readonly failed: (e: unknown) => void;
  readonly succeeded: () => void;
}

/** `failing`: the warning's message; `recovered`: the info line's. */
export function failureLog(log: Log, failing: string, recovered: string): FailureLog {
  let failures = 0;
  return {
    failed(e) {
      failures++;
      if (failures === 1) log.warn({ err: e }, failing);
      else log.debug({ err: e, failures }, failing);
    },
    succeeded() {
      if (failures > 0) log.info({ failures }, recovered);
      failures = 0;
    },
  };
}
