// An AbortSignal that fires when the parent does or after `ms` on the injected timers (so fake time
// drives timeouts in tests). Always call `done()` to release the timer.

import type { Timers } from "../../core/timers.js";

export interface Deadline {
  readonly signal: AbortSignal;
  done(): void;
}

export function deadline(parent: AbortSignal, ms: number, timers: Timers): Deadline {
  const ac = new AbortController();
  const onAbort = () => ac.abort(parent.reason);
  if (parent.aborted) ac.abort(parent.reason);
  else parent.addEventListener("abort", onAbort, { once: true });
  const handle = timers.setTimeout(() => ac.abort(new Error(`deadline of ${ms} ms passed`)), ms);
  return {
    signal: ac.signal,
    done() {
      timers.clearTimeout(handle);
      parent.removeEventListener("abort", onAbort);
    },
  };
}
