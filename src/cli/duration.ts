// Durations given to admin commands (`--older-than 30d`, `--expires 90d`): the configuration's grammar
// (config/duration.ts), with the unit required, so a bare "90" is not taken for seconds.

import { parseDurationMs } from "../config/duration.js";
import { BeaconError } from "../core/errors.js";

/** Parses "90s", "15m", "12h", "30d" (or "500ms") into milliseconds; throws bad_request naming the option. */
export function parseDuration(input: string, option: string): number {
  const ms = /[a-z]$/.test(input.trim()) ? parseDurationMs(input) : undefined;
  if (ms === undefined)
    throw new BeaconError("bad_request", `${option}: "${input}" is not a duration like 90s, 15m, 12h or 30d`);
  return ms;
}
