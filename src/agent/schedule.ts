// Time for the agent's loop, injected so tests run on fake time with no real waiting.

/** Opaque: whatever the timer implementation returns. */
export type TimerHandle = object;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node's timers, unref'd where the caller asks (status polling must not keep `beacon update` alive). */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(Math.max(0, ms), 2_147_483_647)),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
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
