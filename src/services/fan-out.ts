// Composing change listeners (store/change-listener.ts): the server tells one listener every commit,
// and that one tells the transfer journal (which passes it on to the DNS index), the mirror worker,
// the NOTIFY sender and the DNS workers, in the order given.

import type { ChangeListener } from "../store/change-listener.js";

/**
 * Tells every listener each change, in the order given (so the DNS index, fed by the journal
 * listed first, has it before anyone who reads it); settled once every listener that can say so is. Listeners must not
 * throw (the port's contract): one that did would keep the change from the ones after it.
 */
export function fanOut(...listeners: readonly ChangeListener[]): ChangeListener {
  return {
    settled: async () => {
      await Promise.all(listeners.flatMap((l) => (l.settled ? [l.settled()] : [])));
    },
    zoneChanged: (zone) => listeners.forEach((l) => l.zoneChanged(zone)),
    zoneRemoved: (name) => listeners.forEach((l) => l.zoneRemoved(name)),
    hostChanged: (fqdn, zone, sets) => listeners.forEach((l) => l.hostChanged(fqdn, zone, sets)),
    hostRemoved: (fqdn, zone) => listeners.forEach((l) => l.hostRemoved(fqdn, zone)),
    serialChanged: (zone, serial) => listeners.forEach((l) => l.serialChanged(zone, serial)),
  };
}

/**
 * A listener that kicks the mirror worker when a commit may have queued outbox rows (a zone's serial
 * advanced: its content changed) or dropped some (a zone was removed with its mirrors).
 */
export function kickOnCommit(worker: { kick(): void }): ChangeListener {
  const ignore = (): void => {};
  return {
    zoneChanged: ignore,
    zoneRemoved: () => worker.kick(),
    hostChanged: ignore,
    hostRemoved: ignore,
    serialChanged: () => worker.kick(),
  };
}
