// The agent's composition root: the only place that picks the real network functions, clock, timers
// and randomness. Commands receive these as AgentCliDeps so tests can pass fakes.

import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import type { DnsQuery, HttpRequest, ReadInterfaces, RunCommand } from "../agent/net/types.js";
import { createHttpRequest } from "../net/http-request.js";
import { createReadInterfaces } from "../agent/net/interfaces.js";
import { createRunCommand } from "../agent/net/run-command.js";
import { systemTimers, type Random, type Timers } from "../agent/schedule.js";
import { createDnsQuery } from "../dns/client.js";
import { createLogger } from "../observability/logger.js";
import type { Log } from "../services/ports.js";
import { VERSION } from "./version.js";

/** Sent by every HTTP source, target and notifier unless `user_agent` is configured. */
export const AGENT_USER_AGENT = `Beacon-Agent/${VERSION}`;

export interface AgentNet {
  readonly httpRequest: HttpRequest;
  readonly dnsQuery: DnsQuery;
  readonly readInterfaces: ReadInterfaces;
  readonly runCommand: RunCommand;
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
  readonly logger: (level: string) => Log;
}

export function realAgentNet(): AgentNet {
  return {
    httpRequest: createHttpRequest(),
    dnsQuery: createDnsQuery(),
    readInterfaces: createReadInterfaces(),
    runCommand: createRunCommand(),
  };
}

export const processAgentDeps: AgentCliDeps = {
  env: process.env,
  cwd: process.cwd(),
  net: realAgentNet,
  clock: systemClock,
  timers: systemTimers,
  random: Math.random,
  logger: (level) => createLogger({ level }),
};
