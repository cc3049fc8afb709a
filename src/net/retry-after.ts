// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Services that send it are telling
// us when they will accept us again, so targets turn it into a `backoff` instead of our own schedule.

/** Longest wait we honour (a day): a bogus far-future date must not park a record forever. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/** The delay in ms the header asks for, or undefined when it is absent or unparsable. Never negative. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,10}$/.test(v)) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS);
  // Only HTTP-date shapes (they contain "GMT"); Date.parse accepts too much otherwise.
  if (!/GMT$/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}
