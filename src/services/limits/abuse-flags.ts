// Hosts flagged for the admin because their clients keep sending updates that change nothing (as
// nsupdate.info flags hosts whose client faults pass a threshold). A flag is a note for the admin, not
// a block: the host keeps updating, so a noisy client never turns into an outage when the address
// really changes (docs/limits.md says why). The flags live in the store (they outlive restarts and
// show in every process); this keeps the running server's copy, which the update path reads.

import type { Clock } from "../../core/clock.js";
import type { HostFlag } from "../../store/types.js";
import type { LimitStore } from "../../store/ports.js";
import type { Log } from "../../core/log.js";

export interface AbuseFlags {
  isFlagged(fqdn: string): boolean;
  /** Flags the host here at once and in the store in the background (logged if that fails). */
  flag(fqdn: string, reason: string): void;
  /** Clears the flag in the store and here; resolves false if the host was not flagged. */
  clear(fqdn: string): Promise<boolean>;
  /** Reads the flags again (another process, e.g. `beacon host clear-flag`, may have changed them). */
  reload(): Promise<void>;
  list(): Promise<HostFlag[]>;
}

export function createAbuseFlags(deps: {
  readonly store: LimitStore;
  readonly clock: Clock;
  readonly log: Log;
}): AbuseFlags {
  const { store, clock, log } = deps;
  let flagged = new Set<string>();

  return {
    isFlagged: (fqdn) => flagged.has(fqdn),

    flag(fqdn, reason) {
      flagged.add(fqdn);
      log.warn({ fqdn, reason }, "host flagged for update abuse; the admin can clear the flag");
      store.flagHost({ fqdn, flaggedAt: clock(), reason: reason.slice(0, 200) }).catch((e: unknown) => {
        log.warn({ err: e, fqdn }, "could not store the host's abuse flag");
      });
    },

    async clear(fqdn) {
      const cleared = await store.clearHostFlag(fqdn);
      flagged.delete(fqdn);
      return cleared;
    },

    async reload() {
      flagged = new Set((await store.listHostFlags()).map((f) => f.fqdn));
    },

    list: () => store.listHostFlags(),
  };
}
