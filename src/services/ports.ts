// Ports the services talk to besides the Store (the logger is core/log.ts, the change listener
// store/change-listener.ts). Implemented by adapters wired in src/cli.

import type { UpdateSource } from "../core/update.js";

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
