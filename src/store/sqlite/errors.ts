// Driver errors → the catalogue. Expected conflicts are mapped where they happen (the caller knows
// whether a UNIQUE violation means zone_exists or host_exists); everything else the driver throws
// becomes a store error naming the database file, with the driver error as cause and its message kept
// ("database or disk is full"): store_full, store_read_only, or store_unavailable.

import { BeaconError, type ErrorCode } from "../../core/errors.js";

function driverCode(e: unknown): string | undefined {
  if (!(e instanceof Error) || !("code" in e)) return undefined;
  return typeof e.code === "string" ? e.code : undefined;
}

/** True for a PRIMARY KEY or UNIQUE constraint violation. */
export function isUniqueViolation(e: unknown): boolean {
  const code = driverCode(e);
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/**
 * The catalogue code for a driver failure (extended result codes included: SQLITE_READONLY_DIRECTORY).
 * SQLITE_IOERR_SHMSIZE is SQLite failing to grow its shared-memory file: on a full disk.
 */
export function storeErrorCode(e: unknown): ErrorCode {
  const code = driverCode(e) ?? "";
  if (code === "SQLITE_FULL" || code === "SQLITE_IOERR_SHMSIZE" || code === "ENOSPC") return "store_full";
  if (code.startsWith("SQLITE_READONLY") || code === "EROFS") return "store_read_only";
  return "store_unavailable";
}

/** A driver failure as a store error: "<what>: <the driver's words>", saying "disk is full" when it is. */
export function storeError(e: unknown, what: string, path: string): BeaconError {
  if (e instanceof BeaconError) return e;
  const code = storeErrorCode(e);
  let reason = e instanceof Error ? e.message : String(e);
  if (code === "store_full" && !reason.includes("full")) reason += " (the disk is full)";
  return new BeaconError(code, `${what}: ${reason}`, { cause: e, details: { path } });
}

/** BeaconErrors pass through; anything else becomes a store error mentioning `path`. */
export function toStoreError(e: unknown, path: string, doing: string): BeaconError {
  return storeError(e, `SQLite database ${path}: ${doing} failed`, path);
}
