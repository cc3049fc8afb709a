// Opening PostgreSQL: one pg.Pool per store. Its own type parsers (not pg's global ones, which other
// code in the process may rely on) read int8 (bigint: times in ms, seqs, count(*)) and numeric as
// JavaScript numbers, so rows have the same shape as SQLite's. Every value Beacon keeps in them is an
// integer below 2^53 (ms since the epoch, serials, positions), where the conversion is exact.
// Promises: openPool never connects (the first query does); an idle connection that breaks is dropped
// by the pool without crashing the process (the next query reconnects or fails as store_unavailable).

import pg from "pg";

const INT8_OID = 20;
const NUMERIC_OID = 1700;

const toNumber = (v: string): number => Number(v);

/** pg's parsers, except int8 and numeric (text format) → number. */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    (oid === INT8_OID || oid === NUMERIC_OID) && format !== "binary"
      ? toNumber
      : (pg.types.getTypeParser(oid, format ?? "text") as (
          v: string,
        ) => unknown)) as pg.CustomTypesConfig["getTypeParser"],
};

export interface PoolOptions {
  /** Connections at most (default 10). */
  max?: number;
}

export function openPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types: pgTypes });
  // An idle client's error (the server restarted, the network dropped) is emitted on the pool; without
  // a listener Node would throw it. The pool removes that client; nothing else is to be done here.
  pool.on("error", () => undefined);
  return pool;
}

/** The URL without its password, for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return "(an unparseable PostgreSQL URL)";
  }
}
