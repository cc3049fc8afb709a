// The guard every source runs its work in, so the port's contract holds by construction: never throws,
// never outlives the signal, never answers a family it was not asked for.

import { isBeaconError } from "../../core/errors.js";
import type { IpFamily } from "../../core/ip.js";
import type { FailureReason, Observation, ObserveContext } from "./types.js";

export function failed(reason: FailureReason, detail: string): Observation {
  return { ok: false, reason, detail };
}

/** An error's message, for a detail line. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === "string" ? e : "unknown error";
}

/**
 * Runs `ask` for a source that answers `families`. An already-aborted signal or one that fires while
 * `ask` runs yields `timeout`, even if `ask` ignores the signal; an exception becomes `network` (or
 * `command_failed` for a command that could not start).
 */
export async function guardObserve(
  families: readonly IpFamily[],
  ctx: ObserveContext,
  ask: () => Promise<Observation>,
): Promise<Observation> {
  if (!families.includes(ctx.family))
    return failed("wrong_family", `this source does not answer IPv${ctx.family}`);
  if (ctx.signal.aborted) return failed("timeout", "cancelled before asking");
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<Observation>((resolve) => {
    onAbort = () => resolve(failed("timeout", "no answer before the deadline"));
    ctx.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const obs = await Promise.race([Promise.resolve().then(ask), aborted]);
    if (obs.ok && obs.ip.family !== ctx.family)
      return failed(
        "wrong_family",
        `got IPv${obs.ip.family} address ${obs.ip.text}, asked for IPv${ctx.family}`,
      );
    return obs;
  } catch (e) {
    if (ctx.signal.aborted) return failed("timeout", "no answer before the deadline");
    if (isBeaconError(e) && e.code === "command_failed") return failed("command_failed", messageOf(e));
    return failed("network", messageOf(e));
  } finally {
    if (onAbort) ctx.signal.removeEventListener("abort", onAbort);
  }
}
