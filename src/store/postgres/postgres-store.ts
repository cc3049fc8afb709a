// The Store on PostgreSQL: one pool (connection.ts), each port a module over one Db (db.ts), the
// schema brought up to date on open under the migration lock (migrate.ts), or, with `migrate: false`
// (admin commands), only checked to be current. Chosen by `store.postgres_url` (cli/context.ts);
// Its ChangeFeed also pushes: onExternalChange opens a dedicated listening connection per call
// (listener.ts), each stopped by its stop or by close().
// Promises: openPostgresStore resolves only with a migrated database; it throws a store_* BeaconError
// (store_unavailable: the server cannot be reached, or the schema is newer than this Beacon knows)
// and then leaves no connection open.

import { silentLog, type Log } from "../../core/log.js";
import { systemTimers, type Timers } from "../../core/timers.js";
import { MigrationRefused } from "../migration-order.js";
import type { Store } from "../ports.js";
import { pgChanges } from "./changes.js";
import { describeUrl, openPool, type PoolOptions } from "./connection.js";
import { Db } from "./db.js";
import { toStoreError } from "./errors.js";
import { pgHistory } from "./history.js";
import { pgKeys } from "./keys.js";
import { pgLimits } from "./limits.js";
import { pgReplay } from "./replay.js";
import { assertMigrated, migrate } from "./migrate.js";
import { listenForChanges } from "./listener.js";
import { PG_MIGRATIONS } from "./migrations/index.js";
import { pgMirrors } from "./mirrors.js";
import { pgPools } from "./pools.js";
import { pgNotify } from "./notify.js";
import { pgSampleCredentials } from "./sample-credentials.js";
import { pgTrust } from "./trust.js";
import { pgAcme } from "./acme.js";
import { pgSessions } from "./sessions.js";
import { pgTokens } from "./tokens.js";
import { pgTotp } from "./totp.js";
import { pgUsers } from "./users.js";
import { pgZones } from "./zones.js";

export interface PostgresStoreOptions extends PoolOptions {
  readonly log?: Log;
  /** false: never change the schema; refuse one that is not exactly current. Default true. */
  readonly migrate?: boolean;
  /** For the change listener's reconnect backoff (default: the runtime's). */
  readonly timers?: Timers;
}

/** The ports over one Db: what openPostgresStore returns, and what tests compose from a Db they hold. */
export function postgresStore(db: Db): Store {
  return {
    ...pgZones(db),
    ...pgTokens(db),
    ...pgKeys(db),
    ...pgHistory(db),
    ...pgMirrors(db),
    ...pgChanges(db),
    ...pgSessions(db),
    ...pgUsers(db),
    ...pgTotp(db),
    ...pgLimits(db),
    ...pgReplay(db),
    ...pgPools(db),
    ...pgNotify(db),
    ...pgSampleCredentials(db),
    ...pgTrust(db),
    ...pgAcme(db),
    health: () => db.health(),
    close: () => db.close(),
  };
}

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const where = describeUrl(url);
  const pool = openPool(url, opts);
  try {
    const applied = opts.migrate === false ? [] : await migrate(pool, PG_MIGRATIONS);
    if (opts.migrate === false) await assertMigrated(pool, PG_MIGRATIONS);
    if (applied.length > 0)
      (opts.log ?? silentLog).info({ database: where, applied }, "PostgreSQL schema migrated");
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw toStoreError(e, where, e instanceof MigrationRefused ? "open (schema refused)" : "migrate");
  }
  (opts.log ?? silentLog).info({ database: where }, "PostgreSQL store opened");
  const db = new Db(pool, where);
  return withListeners(postgresStore(db), {
    url,
    writer: db.writer,
    timers: opts.timers ?? systemTimers,
    log: opts.log ?? silentLog,
  });
}

/** `store` with onExternalChange (listener.ts); close() stops every listener before the pool. */
function withListeners(store: Store, deps: Parameters<typeof listenForChanges>[0]): Store {
  const stops = new Set<() => void>();
  return {
    ...store,
    onExternalChange(wake) {
      const stop = listenForChanges(deps, wake);
      const once = (): void => {
        stops.delete(once);
        stop();
      };
      stops.add(once);
      return once;
    },
    close() {
      for (const stop of [...stops]) stop();
      return store.close();
    },
  };
}
