// The port every committed change is told to: the DNS zone index, the transfer journal, the NOTIFY
// sender, the DNS workers and the mirror worker implement it; the update service and the change feed
// (services/external-changes.ts) call it.

import type { RRSet } from "../core/records.js";
import type { Zone } from "../core/zones.js";

/**
 * Receives every committed change, synchronously, in the same tick as the commit resolves, so an
 * update acknowledged over HTTP is visible in DNS answers immediately after the reply. The DNS zone
 * index implements it. Listeners must not throw.
 */
export interface ChangeListener {
  /** The zone was created or its SOA/serial/NS changed. */
  zoneChanged(zone: Zone): void;
  zoneRemoved(name: string): void;
  /** The host exists with exactly these sets (possibly none). */
  hostChanged(fqdn: string, zone: string, sets: readonly RRSet[]): void;
  hostRemoved(fqdn: string, zone: string): void;
  /** The zone's serial advanced (always reported after the host changes of the same commit). */
  serialChanged(zone: string, serial: number): void;
  /**
   * Optional. Resolves once every change told so far is visible wherever DNS is answered (e.g. in UDP
   * worker processes fed asynchronously). The update path awaits it before acknowledging, so an
   * answer sent after the reply reflects the update. Must resolve (bounded), never reject.
   */
  settled?(): Promise<void>;
}

/** For writers nobody serves DNS from (the CLI, the Lambda function): every change is ignored. */
export const NO_LISTENER: ChangeListener = {
  zoneChanged() {},
  zoneRemoved() {},
  hostChanged() {},
  hostRemoved() {},
  serialChanged() {},
};
