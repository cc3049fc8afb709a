// Rates ("300/1d": at most 300 events a day) and the arithmetic that enforces them: GCRA, the generic
// cell rate algorithm. A bucket of rate N/P is one number, its `tat` (theoretical arrival time): each
// event moves it T = P/N later (from now, if it lay in the past); an event is allowed while that leaves
// tat no more than P ahead of now. So N events may come at once, then one every T: a client over the
// limit is slowed to the average rate, never shut out for the rest of a long window. One number per
// bucket keeps the state small, cheap to persist, and easy to add up across nodes.

export interface Rate {
  /** Events allowed per period, ≥ 1. */
  readonly limit: number;
  readonly periodMs: number;
}

/** The rates of the update limits (config `limits.*`; services/limits/update-limits.ts applies them). */
export interface LimitRates {
  /** Canonical CIDRs never limited. */
  readonly exempt: readonly string[];
  /** Update requests per client network, before credentials. */
  readonly client: readonly Rate[];
  /** GET /ip per client network. */
  readonly clientIp: readonly Rate[];
  /** Heartbeats (POST /api/v1/heartbeat, GET /nic/heartbeat) per client network. */
  readonly clientHeartbeat: readonly Rate[];
  /** Update requests per token or TSIG key. */
  readonly credential: readonly Rate[];
  readonly hostDyndns2: readonly Rate[];
  /** JSON API and RFC 2136 updates of one host. */
  readonly hostApi: readonly Rate[];
  /** No-change updates of one host beyond these flag it (never refused). */
  readonly nochgFlag: readonly Rate[];
}

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_PERIOD_MS = 366 * 86_400_000;

/** "2/2m", "30/1s", "300/1d", "15/m" (a bare unit is one of it); undefined when not such a rate. */
export function parseRate(text: string): Rate | undefined {
  const m = /^(\d{1,9})\s*\/\s*(\d{0,6})\s*([smhd])$/.exec(text.trim());
  if (m === null) return undefined;
  const limit = Number(m[1]);
  const periodMs = Number(m[2] === "" ? "1" : m[2]) * (UNITS[m[3] ?? "s"] ?? 1_000);
  if (limit < 1 || periodMs < 1_000 || periodMs > MAX_PERIOD_MS) return undefined;
  return { limit, periodMs };
}

/** "300/1d": the largest unit that divides the period. */
export function formatRate(r: Rate): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
  ] as const) {
    if (r.periodMs % size === 0) return `${r.limit}/${r.periodMs / size}${unit}`;
  }
  return `${r.limit}/${r.periodMs / 1000}s`;
}

/** Time one event adds to a bucket of this rate. */
export function emissionMs(r: Rate): number {
  return r.periodMs / r.limit;
}

/**
 * One event against a bucket: the new tat when allowed, else how long until it would be (> 0).
 * `tat` undefined is a full bucket. A tat more than a period ahead (the clock went back) counts as a
 * period ahead, so the wait is never more than T = P/N whatever the clock did.
 */
export function gcraStep(
  tat: number | undefined,
  rate: Rate,
  now: number,
): { readonly ok: true; readonly tat: number } | { readonly ok: false; readonly waitMs: number } {
  const t = emissionMs(rate);
  const from = Math.min(Math.max(tat ?? now, now), now + rate.periodMs);
  const next = from + t;
  if (next - now <= rate.periodMs) return { ok: true, tat: next };
  return { ok: false, waitMs: next - now - rate.periodMs };
}

/** A wait as a Retry-After value: whole seconds, at least 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
