// Composition for one-shot admin commands: read the config the server would read, open the same
// store, and build the services on it. The DNS index of a running server picks up these changes by
// watching the store (see serve.ts), so commands and server never talk directly. A command never
// creates a database: run from the wrong directory, it says where it looked and how to point it.

import { loadServerConfig, SERVER_TABLE, type ServerConfig } from "../config/index.js";
import { systemClock } from "../core/clock.js";
import { BeaconError, isBeaconError } from "../core/errors.js";
import { type ChangeListener } from "../store/change-listener.js";
import { silentLog, type Log } from "../core/log.js";
import { createTokenService } from "../services/tokens.js";
import { createUpdateService } from "../services/apply-update.js";
import { createWriteQueue } from "../services/write-queue.js";
import { createZoneService } from "../services/zones.js";
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

const noListener: ChangeListener = {
  zoneChanged() {},
  zoneRemoved() {},
  hostChanged() {},
  hostRemoved() {},
  serialChanged() {},
};

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
  const store = await openAdminStore(config.store.sqlitePath);
  try {
    const deps = {
      store,
      clock: systemClock,
      listener: noListener,
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
 * The database as `serve` and `migrate` open it: created on the first start (never where one was,
 * see store/sqlite/presence.ts), refused when it cannot be written, and held against a second server.
 */
export function openServerStore(path: string, log: Log): Promise<Store> {
  return openSqliteStore({ path, log, create: true, requireWritable: true, exclusive: true });
}

/** The server's database, which must exist (store_not_found with where to point otherwise). */
async function openAdminStore(path: string): Promise<Store> {
  try {
    return await openSqliteStore({ path, log: silentLog, create: false });
  } catch (e) {
    if (!isBeaconError(e) || e.code !== "store_not_found") throw e;
    throw new BeaconError(
      "store_not_found",
      `no Beacon database at ${path} — pass --data-dir (or set BEACON_DATA_DIR) to the directory \`beacon serve\` uses, or run from the directory where it runs; see docs/configuration.md`,
      { details: { path } },
    );
  }
}
