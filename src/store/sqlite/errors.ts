// Driver errors → the catalogue. Expected conflicts are mapped where they happen (the caller knows
// whether a UNIQUE violation means zone_exists or host_exists); everything else the driver throws
// becomes store_unavailable naming the database file, with the driver error as cause.

import { BeaconError } from "../../core/errors.js";

function driverCode(e: unknown): string | undefined {
  if (!(e instanceof Error) || !("code" in e)) return undefined;
  return typeof e.code === "string" ? e.code : undefined;
}

/** True for a PRIMARY KEY or UNIQUE constraint violation. */
export function isUniqueViolation(e: unknown): boolean {
  const code = driverCode(e);
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** BeaconErrors pass through; anything else becomes store_unavailable mentioning `path`. */
export function toStoreError(e: unknown, path: string, doing: string): BeaconError {
  if (e instanceof BeaconError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return new BeaconError("store_unavailable", `SQLite database ${path}: ${doing} failed: ${reason}`, {
    cause: e,
    details: { path },
  });
}
