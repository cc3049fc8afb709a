// Timers and randomness as ports, injected so tests run on fake time with no real waiting: the
// agent's loop, the mirror worker's deliveries.

/** Opaque: whatever the timer implementation returns. */
export type TimerHandle = object;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The runtime's handle: an object in Node, a number in browsers and workers. */
type RuntimeHandle = ReturnType<typeof setTimeout>;

/** The runtime's timers (a delay is clamped to what setTimeout takes), its handle kept in a box. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms): { readonly runtime: RuntimeHandle } => ({
    runtime: setTimeout(fn, Math.min(Math.max(0, ms), 2_147_483_647)),
  }),
  clearTimeout: (h) => clearTimeout((h as { readonly runtime: RuntimeHandle }).runtime),
};

/** A uniform random number in [0, 1). */
export type Random = () => number;

/**
 * `ms` spread by ±`fraction` (default 10%), so many agents polling the same echo services do not
 * fall into step. `random` = 0.5 gives exactly `ms`.
 */
export function jittered(ms: number, random: Random, fraction = 0.1): number {
  return Math.round(ms * (1 + (random() * 2 - 1) * fraction));
}
