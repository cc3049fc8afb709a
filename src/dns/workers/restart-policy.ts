// When a UDP query worker that died is forked again, and when its slot is given up: a pure rule the
// supervisor applies to each exit while the pool runs.
//
// Contract: a failure counts as "quick" when the worker lived less than QUICK_MS; quick failures in a
// row add up, a worker that lived longer starts the count again at 1. The restart waits BASE_DELAY_MS,
// doubled per quick failure, at most MAX_DELAY_MS; after MAX_QUICK_FAILURES quick failures in a row the
// slot is given up (the next failure says so). Never throws.

export const MAX_QUICK_FAILURES = 10;
export const QUICK_MS = 30_000;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;

/** What to do after an exit; `failures` is the count to keep for the slot's next exit. */
export type RestartDecision =
  | { readonly action: "restart"; readonly failures: number; readonly delayMs: number }
  | { readonly action: "give-up"; readonly failures: number };

/** `failures`: the slot's count before this exit; `livedMs`: how long the worker that exited ran. */
export function afterExit(failures: number, livedMs: number): RestartDecision {
  const count = livedMs < QUICK_MS ? failures + 1 : 1;
  if (count > MAX_QUICK_FAILURES) return { action: "give-up", failures: count };
  return {
    action: "restart",
    failures: count,
    delayMs: Math.min(BASE_DELAY_MS * 2 ** (count - 1), MAX_DELAY_MS),
  };
}
