// Logs every UPDATE that was not applied — who (key name, client address), where (zone), what was
// answered (rcode, TSIG error) and why — without letting a flood fill the log: in each interval the
// first `burst` refusals are logged one line each; the rest are only counted, and the next refusal
// after the interval logs how many were left out, by answer, before its own line. Unsigned and forged
// UPDATEs cost an attacker nothing to send, so the bound matters. No timers: the clock is read on use.

import type { Log } from "../../core/log.js";

export interface Refusal {
  /** The verified key's name; for an unknown key or bad signature, the name the message claimed. */
  readonly key: string | undefined;
  readonly client: string;
  readonly zone: string | undefined;
  /** The answer: an rcode name, plus the TSIG error when there is one ("NOTAUTH/BADSIG"). */
  readonly answer: string;
  readonly reason: string;
  /** warn: the signature, key or client was not good enough; info: a well-signed request refused. */
  readonly level: "warn" | "info";
}

export interface RefusalLogOptions {
  readonly log: Log;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Lines per interval before counting starts. Default 20. */
  readonly burst?: number;
  /** Default 60 000. */
  readonly intervalMs?: number;
}

export type RefusalLog = (r: Refusal) => void;

export function createRefusalLog(opts: RefusalLogOptions): RefusalLog {
  const burst = opts.burst ?? 20;
  const intervalMs = opts.intervalMs ?? 60_000;
  let windowStart = -Infinity;
  let logged = 0;
  let suppressed = new Map<string, number>();
  return (r) => {
    const now = opts.clock();
    if (now - windowStart >= intervalMs || now < windowStart) {
      if (suppressed.size > 0) {
        const total = [...suppressed.values()].reduce((a, n) => a + n, 0);
        opts.log.warn(
          { suppressed: total, byAnswer: Object.fromEntries(suppressed), sinceMs: windowStart },
          "UPDATE refusals left out of the log",
        );
      }
      windowStart = now;
      logged = 0;
      suppressed = new Map();
    }
    if (logged >= burst) {
      suppressed.set(r.answer, (suppressed.get(r.answer) ?? 0) + 1);
      return;
    }
    logged++;
    const fields = { key: r.key, client: r.client, zone: r.zone, answer: r.answer, reason: r.reason };
    if (r.level === "warn") opts.log.warn(fields, "UPDATE refused");
    else opts.log.info(fields, "UPDATE refused");
  };
}
