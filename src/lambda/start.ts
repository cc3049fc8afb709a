// The Lambda function's start: a handler (handler.ts) whose runtime is composed on the first
// invocation — settings from the environment only (the BEACON_* variables `beacon serve` reads; a
// bundle has no configuration file, so BEACON_CONFIG is ignored), JSON logs on stderr written
// synchronously (Lambda may freeze the process right after a reply, so nothing may sit in a buffer),
// the store `openStore` opens (main.ts: the DynamoDB store), then composeLambda. A store opened for a
// composition that then fails is closed again.

import { loadServerConfig, type ServerConfig } from "../config/index.js";
import { systemClock } from "../core/clock.js";
import { systemTimers } from "../core/timers.js";
import { createLogger } from "../observability/logger.js";
import type { Store } from "../store/ports.js";
import { composeLambda, type AckLayer, type Env } from "./compose.js";
import { createLambdaHandler, type LambdaHandler } from "./handler.js";

export interface StartDeps {
  readonly env: Env;
  readonly openStore: (config: ServerConfig) => Store | Promise<Store>;
  readonly ack: AckLayer;
  readonly version: string;
  /** Where log lines go; default stderr. */
  readonly destination?: NodeJS.WritableStream;
}

export function startLambda(d: StartDeps): LambdaHandler {
  const destination = d.destination ?? process.stderr;
  const bootLog = createLogger({ level: "info", format: "json", destination });
  return createLambdaHandler({
    log: bootLog,
    load: async () => {
      const env = { ...d.env, BEACON_CONFIG: undefined };
      const config = loadServerConfig({ env, flags: {}, cwd: "/", warn: (m) => bootLog.warn(m) });
      const log = createLogger({ level: config.log.level, format: "json", destination });
      const store = await d.openStore(config);
      try {
        return await composeLambda({
          config,
          store,
          env: d.env,
          clock: systemClock,
          timers: systemTimers,
          log,
          ack: d.ack,
          version: d.version,
        });
      } catch (e) {
        await store.close().catch(() => {});
        throw e;
      }
    },
  });
}
