import { BeaconError } from "../core/errors.js";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "90s", "15m", "12h", "30d" into milliseconds; throws bad_request naming the option. */
export function parseDuration(input: string, option: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(input.trim());
  if (m === null)
    throw new BeaconError("bad_request", `${option}: "${input}" is not a duration like 90s, 15m, 12h or 30d`);
  return Number(m[1]) * (UNITS[m[2] ?? "s"] ?? 1_000);
}
