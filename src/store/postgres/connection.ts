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

/**
 * How long getting a connection may take (connecting, or waiting for a free one when all `max` are
 * busy) before the call fails as store_unavailable. pg's default is 0, "wait forever": with a
 * server that silently stopped answering (a partition, a dead host) every request would hang until
 * the kernel gives up on the TCP connect (minutes), piling up behind the pool.
 */
export const CONNECT_TIMEOUT_MS = 5_000;
/** TCP keepalive on every connection: a peer that vanished without a FIN is noticed, not waited on. */
export const KEEPALIVE_DELAY_MS = 10_000;

export function openPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  });
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
