// One probe attempt with a deadline: the frame every probe type runs in. It promises that the probe
// settles exactly once (its own result, "timeout" after timeoutMs, or "aborted" when the signal
// fires), that the probe's cleanup (destroy the socket, kill the child) runs exactly once before the
// promise resolves, that no timer or listener is left behind, and that it never rejects: what the
// probe throws becomes a failure with a reason (./reasons.ts).

import type { ProbeSample } from "../../core/pools.js";
import type { Timers } from "../../core/timers.js";
import { reasonOf } from "./reasons.js";

export type ProbeResult = Omit<ProbeSample, "at">;

export interface ProbeContext {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly timers: Timers;
  /** Monotonic milliseconds, for RTT. */
  readonly now: () => number;
}

/** Calls `done` with the probe's result; returns the cleanup to run when the attempt ends. */
export type ProbeStart = (done: (result: ProbeResult) => void) => (() => void) | undefined;

export function attempt(ctx: ProbeContext, start: ProbeStart): Promise<ProbeResult> {
  if (ctx.signal?.aborted === true) return Promise.resolve({ ok: false, reason: "aborted" });
  return new Promise((resolve) => {
    let settled = false;
    let cleanup: (() => void) | undefined;
    const onAbort = () => done({ ok: false, reason: "aborted" });
    const timer = ctx.timers.setTimeout(() => done({ ok: false, reason: "timeout" }), ctx.timeoutMs);
    ctx.signal?.addEventListener("abort", onAbort, { once: true });

    function done(result: ProbeResult): void {
      if (settled) return;
      settled = true;
      ctx.timers.clearTimeout(timer);
      ctx.signal?.removeEventListener("abort", onAbort);
      try {
        cleanup?.();
      } catch {
        // a cleanup that throws (a socket already gone) changes nothing about the result
      }
      resolve(result);
    }

    try {
      cleanup = start(done);
    } catch (e) {
      done({ ok: false, reason: reasonOf(e) });
    }
    // `start` may settle before it returns its cleanup: run the cleanup now
    if (settled) cleanup?.();
  });
}
