// Composition for one-shot admin commands: read the config the server would read, open the same
// store, and build the services on it. The DNS index of a running server picks up these changes by
// watching the store (see serve.ts), so commands and server never talk directly.

import { loadServerConfig, type ServerConfig } from "../config/index.js";
import { systemClock } from "../core/clock.js";
import { silentLog, type ChangeListener } from "../services/ports.js";
import { createTokenService } from "../services/tokens.js";
import { createUpdateService } from "../services/apply-update.js";
import { createWriteQueue } from "../services/write-queue.js";
import { createZoneService } from "../services/zones.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Store } from "../store/types.js";

export interface GlobalOptions {
  readonly config?: string;
  readonly dataDir?: string;
}

/** Turns the global CLI options into config flags (dotted setting paths). */
export function globalFlags(opts: GlobalOptions): Record<string, string> {
  const flags: Record<string, string> = {};
  if (opts.dataDir !== undefined) flags["data_dir"] = opts.dataDir;
  return flags;
}

export function readConfig(
  opts: GlobalOptions,
  extraFlags: Record<string, string | string[]> = {},
): ServerConfig {
  return loadServerConfig({
    file: opts.config,
    env: process.env,
    flags: { ...globalFlags(opts), ...extraFlags },
    cwd: process.cwd(),
  });
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
  const store = await openSqliteStore({ path: config.store.sqlitePath, log: silentLog });
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
