// Driver errors → the catalogue, as sqlite/errors.ts does for SQLite. Expected conflicts are mapped by
// the port modules (a unique violation, SQLSTATE 23505, means zone_exists or token_exists depending on
// the statement); everything else becomes a store error naming the database (its URL without the
// password) with the driver error as cause and its message kept: store_full (53100 disk_full),
// store_read_only (25006 read_only_sql_transaction, a hot standby), or store_unavailable.

import { BeaconError, type ErrorCode } from "../../core/errors.js";

/** The SQLSTATE (or a Node error code such as ECONNREFUSED) of a driver error. */
function driverCode(e: unknown): string | undefined {
  if (!(e instanceof Error) || !("code" in e)) return undefined;
  return typeof e.code === "string" ? e.code : undefined;
}

/** True for a PRIMARY KEY or UNIQUE constraint violation. */
export function isUniqueViolation(e: unknown): boolean {
  return driverCode(e) === "23505";
}

/** True for a FOREIGN KEY violation (a referenced row is missing). */
export function isForeignKeyViolation(e: unknown): boolean {
  return driverCode(e) === "23503";
}

export function storeErrorCode(e: unknown): ErrorCode {
  const code = driverCode(e);
  if (code === "53100") return "store_full";
  if (code === "25006") return "store_read_only";
  return "store_unavailable";
}

/** BeaconErrors pass through; anything else becomes "PostgreSQL database <where>: <doing> failed: …". */
export function toStoreError(e: unknown, where: string, doing: string): BeaconError {
  if (e instanceof BeaconError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return new BeaconError(storeErrorCode(e), `PostgreSQL database ${where}: ${doing} failed: ${reason}`, {
    cause: e,
    details: { database: where },
  });
}
