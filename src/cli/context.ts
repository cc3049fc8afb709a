// Composition for one-shot admin commands: read the config the server would read, open the same
// store, and build the services on it. The DNS index of a running server picks up these changes by
// watching the store (see serve.ts), so commands and server never talk directly. A command never
// creates a database: run from the wrong directory, it says where it looked and how to point it.
// The store is chosen here, once, for every command (openConfiguredStore): SQLite, PostgreSQL, or the
// serverless edition's DynamoDB table (admin commands only).

import {
  loadServerConfig,
  SERVER_TABLE,
  type DynamoTarget,
  type PostgresTarget,
  type ServerConfig,
} from "../config/index.js";
import { systemClock } from "../core/clock.js";
import { BeaconError, isBeaconError } from "../core/errors.js";
import { NO_LISTENER } from "../store/change-listener.js";
import { silentLog, type Log } from "../core/log.js";
import { createTokenService } from "../services/tokens.js";
import { createUpdateService } from "../services/apply-update.js";
import { createWriteQueue } from "../services/write-queue.js";
import { createZoneService } from "../services/zones.js";
import { openPostgresStore } from "../store/postgres/postgres-store.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/ports.js";
import { processIo } from "./output.js";
import { settingFlags } from "./setting-options.js";

/** commander's optsWithGlobals(): `--config` and any setting flags (see setting-options.ts). */
export type GlobalOptions = Readonly<Record<string, unknown>> & { readonly config?: string };

/**
 * The server's config as `beacon serve` would read it, with this command's flags. `warn` receives
 * notes such as a misspelt BEACON_* variable; by default they go to stderr.
 */
export function readConfig(
  opts: GlobalOptions,
  warn: (message: string) => void = warnOnStderr,
): ServerConfig {
  return loadServerConfig({
    file: typeof opts.config === "string" ? opts.config : undefined,
    env: process.env,
    flags: settingFlags(SERVER_TABLE, opts),
    cwd: process.cwd(),
    warn,
  });
}

function warnOnStderr(message: string): void {
  processIo.err(`beacon: warning: ${message}`);
}

export interface AdminContext {
  readonly store: Store;
  readonly zones: ReturnType<typeof createZoneService>;
  readonly tokens: ReturnType<typeof createTokenService>;
  readonly updates: ReturnType<typeof createUpdateService>;
  readonly config: ServerConfig;
}

/** Opens the store for one command, runs `fn`, and always closes the store. */
export async function withAdmin<T>(opts: GlobalOptions, fn: (ctx: AdminContext) => Promise<T>): Promise<T> {
  const config = readConfig(opts);
  const store = await openConfiguredStore(config, "admin", silentLog);
  try {
    const deps = {
      store,
      clock: systemClock,
      listener: NO_LISTENER,
      log: silentLog,
      queue: createWriteQueue(),
    };
    return await fn({
      store,
      config,
      zones: createZoneService(deps),
      tokens: createTokenService(deps),
      updates: createUpdateService({
        ...deps,
        allowNonGlobal: config.updates.allowNonGlobal,
        historyPerHost: config.history.maxEntriesPerHost,
      }),
    });
  } finally {
    await store.close();
  }
}

/**
 * Who opens the store: `server` (serve, migrate) creates and migrates it; `admin` (one-shot commands)
 * needs an existing one and never creates a SQLite file. On PostgreSQL both open alike: Beacon never
 * creates the database itself, and the adapter always brings the schema up to date on open.
 */
export type StoreUse = "server" | "admin";

/**
 * The store the config chooses. SQLite: created on the server's first start (never where one was, see
 * store/sqlite/presence.ts), refused when it cannot be written, held against a second server by its
 * file lock and guard. PostgreSQL: no lock and no guard (several nodes share it by design); the
 * database must exist; serve and migrate bring its schema up to date under the adapter's advisory
 * lock, admin commands only check it is current (they never migrate); a schema newer than this Beacon
 * is refused (store_unavailable with the migration runner's message).
 * Errors name the database by host:port/database only, never its URL. DynamoDB: admin commands only
 * (the server needs a change log for its DNS the table does not have); the table must exist.
 */
export function openConfiguredStore(config: ServerConfig, use: StoreUse, log: Log): Promise<Store> {
  const { postgres, sqlitePath, dynamodb } = config.store;
  if (dynamodb !== undefined) {
    if (use === "server") return Promise.reject(new BeaconError("config_invalid", DYNAMO_SERVER));
    return openDynamo(dynamodb);
  }
  if (postgres !== undefined) return openPostgres(postgres, use, log);
  if (use === "admin") return openAdminSqlite(sqlitePath);
  return openSqliteStore({ path: sqlitePath, log, create: true, requireWritable: true, exclusive: true });
}

/** What the ready line and `beacon migrate` print for the store: a path, or host:port/database. */
export function describeStore(config: ServerConfig): string {
  const { postgres, sqlitePath, dynamodb } = config.store;
  if (dynamodb !== undefined) return `dynamodb:${dynamodb.table} (${dynamodb.region})`;
  return postgres === undefined ? sqlitePath : `postgres ${postgres.where}`;
}

const DYNAMO_SERVER =
  "the DynamoDB store is for the serverless edition (docs/serverless.md); beacon serve needs SQLite or PostgreSQL";

/**
 * The table through the SDK's default credential chain (AWS_PROFILE, the environment, SSO, …) and its
 * default retries. Loaded on demand: the other commands do not pay for the SDK. Closing the store
 * destroys the client.
 */
async function openDynamo(target: DynamoTarget): Promise<Store> {
  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const { openDynamoStore } = await import("../store/dynamodb/dynamodb-store.js");
  const client = new DynamoDBClient({
    region: target.region,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
  });
  const store = openDynamoStore({ client, table: target.table });
  return {
    ...store,
    async close() {
      await store.close().finally(() => client.destroy());
    },
  };
}

async function openPostgres(target: PostgresTarget, use: StoreUse, log: Log): Promise<Store> {
  try {
    return await openPostgresStore(target.url, { log, migrate: use !== "admin" });
  } catch (e) {
    // The adapter names the database by its URL without the password (user included); say it as
    // the config does, keeping the code and the driver's reason (which names host and port).
    if (!isBeaconError(e)) throw e;
    const reason = e.message.replace(/^PostgreSQL database \S+: /, "");
    throw new BeaconError(e.code, `PostgreSQL ${target.where}: ${reason}`, {
      cause: e,
      details: { database: target.where },
    });
  }
}

/** The server's SQLite file, which must exist (store_not_found with where to point otherwise). */
async function openAdminSqlite(path: string): Promise<Store> {
  try {
    return await openSqliteStore({ path, log: silentLog, create: false });
  } catch (e) {
    if (!isBeaconError(e) || e.code !== "store_not_found") throw e;
    throw noDatabaseAt(path);
  }
}

/** store_not_found for a command run against the wrong directory, saying how to point it. */
export function noDatabaseAt(path: string): BeaconError {
  return new BeaconError(
    "store_not_found",
    `no Beacon database at ${path} — pass --data-dir (or set BEACON_DATA_DIR) to the directory \`beacon serve\` uses, or run from the directory where it runs; see docs/configuration.md`,
    { details: { path } },
  );
}
