// Ports the services talk to besides the Store. Implemented by adapters wired in src/cli.

import type { RRSet } from "../core/records.js";
import type { UpdateSource } from "../core/update.js";
import type { Zone } from "../store/types.js";

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

/** Minimal structured logger (pino-compatible) so services need not import pino. */
export interface Log {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Abuse controls the update service consults (services/limits/update-limits.ts). A wait is in ms
 * (> 0); undefined means "go ahead" and has counted the event. Never throws.
 */
export interface UpdateLimits {
  /** Once per update request, for the credential that sent it. */
  request(source: UpdateSource): number | undefined;
  /** Once per host the credential may change, before it is read or written. */
  host(fqdn: string, source: UpdateSource): number | undefined;
  /** The update of this host changed nothing. */
  noChange(fqdn: string, source: UpdateSource): void;
}
