// A Lambda handler composed over the memory store for tests: zone dyn.example.com (configured as a
// Route 53 zone), host home.dyn.example.com and a token for it, the clock fixed at NOW, the log
// recorded, and the acknowledged-update layer `ack` (default: answered once stored; the schedule
// reports a fixed summary).

import { loadServerConfig } from "../../config/index.js";
import { systemTimers } from "../../core/timers.js";
import { recordingListener, recordingLog, type LogLine } from "../../services/testing/recorders.js";
import { createTokenService } from "../../services/tokens.js";
import { createZoneService } from "../../services/zones.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import { composeLambda, type AckLayer, type Env } from "../compose.js";
import { createLambdaHandler, type LambdaHandler } from "../handler.js";

export const HOST = "home.dyn.example.com";
export const FORGED = "203.0.113.9";
export const NOW = 1_700_000_000_000;

export interface Setup {
  readonly handler: LambdaHandler;
  readonly store: ReturnType<typeof createMemoryStore>;
  readonly logs: LogLine[];
  readonly basic: string;
  readonly bearer: string;
  readonly composed: () => number;
}

export async function setup(
  env: Record<string, string> = {},
  ack?: AckLayer,
  /** The process environment compose reads the AWS credentials from. */
  processEnv: Env = {},
): Promise<Setup> {
  const store = createMemoryStore();
  const clock = () => NOW;
  const logs: LogLine[] = [];
  const log = recordingLog(logs);
  const zones = createZoneService({ store, clock, listener: recordingListener([]) });
  await zones.addZone("dyn.example.com");
  await zones.addHost(HOST);
  const { token } = await createTokenService({ store, clock }).create({
    label: "test",
    names: [{ name: HOST, subtree: false }],
    types: ["A", "AAAA", "TXT"],
  });
  const config = loadServerConfig({
    env: { BEACON_SERVERLESS_ROUTE53_ZONES: "dyn.example.com=Z0123456789ABC", ...env },
    flags: {},
    cwd: "/",
  });
  let composed = 0;
  const handler = createLambdaHandler({
    log,
    load: () => {
      composed++;
      return composeLambda({
        config,
        store,
        env: processEnv,
        clock,
        timers: systemTimers,
        log,
        version: "0.0.0-test",
        ack: ack ?? {
          acknowledgeUpdates: (u) => u,
          drainAll: () => Promise.resolve({ mirrors: 1, delivered: 2, pending: 0, failed: 0 }),
        },
      });
    },
  });
  return {
    handler,
    store,
    logs,
    basic: `Basic ${btoa(`${HOST}:${token}`)}`,
    bearer: `Bearer ${token}`,
    composed: () => composed,
  };
}
