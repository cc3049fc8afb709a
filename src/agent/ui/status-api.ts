// GET /api/status: every record with its current address, the last cycle's verdict and each source's
// answer, last update and next check. POST /api/check-now: every record's cycle now (202).

import type { Hono } from "hono";
import type { RecordStatus } from "../loop/record-state.js";
import { recordView } from "./status-view.js";

export interface StatusApiDeps {
  readonly version: string;
  readonly configFile: string | undefined;
  readonly intervalMs: number;
  readonly status: () => readonly RecordStatus[];
  /** The loop's runNow(): returns at once, cycles run in the background. */
  readonly runNow: () => void;
}

export function registerStatusApi(app: Hono, deps: StatusApiDeps): void {
  app.get("/api/status", (c) =>
    c.json({
      version: deps.version,
      configFile: deps.configFile ?? null,
      intervalSeconds: deps.intervalMs / 1000,
      records: deps.status().map(recordView),
    }),
  );
  app.post("/api/check-now", (c) => {
    deps.runNow();
    return c.json({}, 202);
  });
}
