// The agent's composition root: the only place that picks the real network functions (HTTP, DNS
// queries, DNS exchanges for RFC 2136 provider targets), clock, timers and randomness. Commands
// receive these as AgentCliDeps so tests can pass fakes.

import { randomBytes } from "node:crypto";
import type { AgentConfig } from "../agent/config/index.js";
import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import type { ReadInterfaces, RunCommand } from "../agent/system/types.js";
import type { HttpRequest } from "../net/http.js";
import type { DnsExchange, DnsQuery } from "../dns/client/ports.js";
import { createHttpRequest } from "../net/http-request.js";
import { createReadInterfaces } from "../agent/system/interfaces.js";
import { createRunCommand } from "../agent/system/run-command.js";
import { systemTimers, type Random, type Timers } from "../core/timers.js";
import { createDnsQuery } from "../dns/client/query.js";
import { createDnsExchange } from "../dns/client/exchange.js";
import { createLogger } from "../observability/logger.js";
import type { Log } from "../core/log.js";
import { VERSION } from "./version.js";

/** Sent by every HTTP source, target and notifier unless `user_agent` is configured. */
export const AGENT_USER_AGENT = `Beacon-Agent/${VERSION}`;

export interface AgentNet {
  readonly httpRequest: HttpRequest;
  readonly dnsQuery: DnsQuery;
  readonly readInterfaces: ReadInterfaces;
  readonly runCommand: RunCommand;
  /**
   * For provider targets (agent/targets/provider.ts): with httpRequest and the agent's clock and
   * User-Agent (added by agent-runtime.ts) these make the providers' ProviderDeps. Optional so tests
   * that use no provider target need not fake them; a provider that needs one and lacks it fails loudly.
   */
  readonly dnsExchange?: DnsExchange;
  readonly randomBytes?: (n: number) => Uint8Array;
}

export interface AgentCliDeps {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /** Config, secret files and resolv.conf; default node:fs. */
  readonly readFile?: (path: string) => string;
  readonly net: () => AgentNet;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  readonly logger: (log: AgentConfig["log"]) => Log;
}

export function realAgentNet(): AgentNet {
  return {
    httpRequest: createHttpRequest(),
    dnsQuery: createDnsQuery(),
    readInterfaces: createReadInterfaces(),
    runCommand: createRunCommand(),
    dnsExchange: createDnsExchange(),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  };
}

export const processAgentDeps: AgentCliDeps = {
  env: process.env,
  cwd: process.cwd(),
  net: realAgentNet,
  clock: systemClock,
  timers: systemTimers,
  random: Math.random,
  logger: (log) => createLogger(log),
};
