// The embedded Store: one SQLite file (WAL, synchronous=FULL), each port a module over one connection
// (db.ts: one statement cache, better-sqlite3's transactions, the file guard's checks on every write).
// Kysely only runs the migrations when the file is opened (connection.ts).

import { silentLog, type Log } from "../../core/log.js";
import type { Store } from "../ports.js";
import { sqliteChanges } from "./changes.js";
import { openDatabase, type OpenOptions } from "./connection.js";
import { Db } from "./db.js";
import { FileGuard } from "./file-guard.js";
import { sqliteHistory } from "./history.js";
import { sqliteKeys } from "./keys.js";
import { sqliteLimits } from "./limits.js";
import { sqliteReplay } from "./replay.js";
import { sqliteMirrors } from "./mirrors.js";
import { sqlitePools } from "./pools.js";
import { sqliteNotify } from "./notify.js";
import { sqliteSampleCredentials } from "./sample-credentials.js";
import { sqliteTrust } from "./trust.js";
import { sqliteAcme } from "./acme.js";
import { sqliteSessions } from "./sessions.js";
import { sqliteTokens } from "./tokens.js";
import { sqliteTotp } from "./totp.js";
import { sqliteUsers } from "./users.js";
import { sqliteZones } from "./zones.js";

export interface SqliteStoreOptions extends Omit<OpenOptions, "migrations"> {
  readonly path: string;
  readonly log?: Log;
}

/**
 * Opens (creating and migrating if needed and allowed, see OpenOptions) the database at `path`.
 * Throws a store_* BeaconError.
 */
export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  const log = opts.log ?? silentLog;
  const { raw, lock } = await openDatabase(opts.path, log, opts);
  log.info({ path: opts.path }, "SQLite store opened");
  const guard =
    opts.path === ":memory:"
      ? undefined
      : new FileGuard({
          path: opts.path,
          log,
          rescue: (target) => {
            if (raw.inTransaction) return false;
            raw.prepare("vacuum into ?").run(target);
            return true;
          },
        });
  const db = new Db(raw, opts.path, guard, lock);
  return {
    ...sqliteZones(db),
    ...sqliteTokens(db),
    ...sqliteKeys(db),
    ...sqliteHistory(db),
    ...sqliteMirrors(db),
    ...sqliteChanges(db),
    ...sqliteSessions(db),
    ...sqliteUsers(db),
    ...sqliteTotp(db),
    ...sqliteLimits(db),
    ...sqliteReplay(db),
    ...sqlitePools(db),
    ...sqliteNotify(db),
    ...sqliteSampleCredentials(db),
    ...sqliteTrust(db),
    ...sqliteAcme(db),
    health: () => db.health(),
    close: () => db.close(),
  };
}
