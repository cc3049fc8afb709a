// What one history entry may hold. Every entry is written by the update service through
// `boundedEntry`, whatever the protocol, so no client can make a row larger than these bounds
// (docs/configuration.md, "History"): a hostile user agent, a refused set of 64 long values, a
// long TSIG key name all end up clipped here, never stored whole.

import { MAX_TXT_LENGTH, MAX_VALUES } from "../core/records.js";
import type { HistoryEntry } from "../store/types.js";

export const HISTORY_LIMITS = {
  /** Characters of the User-Agent kept (the rest is cut, marked with "…"). */
  userAgent: 256,
  /** Characters of the client address (an IPv6 text with a zone id fits). */
  sourceIp: 64,
  /** Characters of the credential id ("tk_…" or "tsig:<key name>"). */
  tokenId: 128,
  /** Values kept of a set; a refused set may have asked for more. */
  values: MAX_VALUES,
  /** Characters kept of each value (a TXT value is at most 255 octets). */
  valueLength: MAX_TXT_LENGTH,
} as const;

/** Outcomes of an entry that was applied (or found already applied); anything else was refused. */
const ACCEPTED = new Set(["good", "nochg", "deleted"]);

/** True for a refused change: its outcome is the error code, its newValues what was asked for. */
export function isRefused(outcome: string): boolean {
  return !ACCEPTED.has(outcome);
}

/** `s` cut to `max` characters (the last one "…"), never splitting a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

function clipValues(values: readonly string[] | undefined): readonly string[] | undefined {
  return values?.slice(0, HISTORY_LIMITS.values).map((v) => clip(v, HISTORY_LIMITS.valueLength));
}

const clipOptional = (s: string | undefined, max: number) => (s === undefined ? undefined : clip(s, max));

/** The entry with every field within HISTORY_LIMITS. */
export function boundedEntry(e: HistoryEntry): HistoryEntry {
  return {
    ...e,
    oldValues: clipValues(e.oldValues),
    newValues: clipValues(e.newValues),
    tokenId: clipOptional(e.tokenId, HISTORY_LIMITS.tokenId),
    sourceIp: clipOptional(e.sourceIp, HISTORY_LIMITS.sourceIp),
    userAgent: clipOptional(e.userAgent, HISTORY_LIMITS.userAgent),
  };
}
