// Replay detection for TSIG-signed requests. A signature is valid for its whole time window (Time
// Signed ± Fudge, up to ±300 s), so a captured signed UPDATE could be sent again inside that window and
// be applied again, reverting any newer change. BIND keeps no record of what it has seen; Beacon
// remembers every MAC it accepted, per key, until the message's window is over, and a MAC seen before
// is a replay. (RFC 8945 §5.2.3 suggests instead refusing any message signed earlier than the latest
// one from the same key; that refuses honest clients sharing a key with slightly different clocks,
// and still lets the latest message be replayed, so Beacon compares MACs instead.)
//
// A copy that arrives while the first is still being applied is "pending": the caller sends no reply,
// so a client that retransmits over UDP (nsupdate after 3 s, Beacon's own RFC 2136 client after 1 s)
// gets the first copy's answer rather than a refusal of the second.
//
// Contract: memory is bounded by `maxEntries`. An entry is kept until its message could no longer
// pass the time check; expired entries are swept at most once a minute and whenever the table is full.
// When it is still full, `check` answers "full" and remembers nothing: the caller must then refuse the
// request (applying it would leave it replayable). Only the holder of a key can add entries (a MAC is
// remembered after it verified), so filling the table takes more than `maxEntries` signed requests
// within one window. Pure: the caller supplies the time.

export type ReplayVerdict = "fresh" | "pending" | "replay" | "full";

export interface ReplayGuard {
  /**
   * Records `mac` for `keyName` until `expiresAt` (seconds since the epoch) and answers "fresh", or,
   * when it was recorded before and has not expired, "pending" (the first copy is not `settled` yet)
   * or "replay"; or "full" (nothing recorded).
   */
  check(keyName: string, mac: Uint8Array, expiresAt: number, now: number): ReplayVerdict;
  /** The first copy of this message has been answered: later copies are replays. */
  settled(keyName: string, mac: Uint8Array): void;
  readonly size: number;
}

interface Seen {
  readonly expiresAt: number;
  pending: boolean;
}

const SWEEP_EVERY_SECONDS = 60;

export function createReplayGuard(maxEntries: number): ReplayGuard {
  /** "<key name> <MAC as base64>" → expiry and whether the first copy is still being handled. */
  const seen = new Map<string, Seen>();
  const idOf = (keyName: string, mac: Uint8Array) => `${keyName} ${Buffer.from(mac).toString("base64")}`;
  let nextSweep = 0;
  const sweep = (now: number): void => {
    for (const [k, e] of seen) if (e.expiresAt < now) seen.delete(k);
    nextSweep = now + SWEEP_EVERY_SECONDS;
  };
  return {
    check(keyName, mac, expiresAt, now) {
      if (now >= nextSweep) sweep(now);
      const id = idOf(keyName, mac);
      const known = seen.get(id);
      if (known !== undefined && known.expiresAt >= now) return known.pending ? "pending" : "replay";
      if (known === undefined && seen.size >= maxEntries) {
        sweep(now);
        if (seen.size >= maxEntries) return "full";
      }
      seen.set(id, { expiresAt, pending: true });
      return "fresh";
    },
    settled(keyName, mac) {
      const known = seen.get(idOf(keyName, mac));
      if (known !== undefined) known.pending = false;
    },
    get size() {
      return seen.size;
    },
  };
}
