// Building and running an agent from its configuration: the steps `beacon agent`, `beacon update` and
// `beacon ip` share. Everything concrete comes from AgentCliDeps.

import { serve as serveHttp, type ServerType } from "@hono/node-server";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { assembleAgent, type Assembled, type AssembleDeps } from "../agent/assemble.js";
import { detectAddress } from "../agent/detect/verdict.js";
import { createAgentLoop, type AgentLoop } from "../agent/loop.js";
import { createAgentMetrics } from "../agent/metrics.js";
import { createStateFile, type StateStore } from "../agent/state-file.js";
import { createStatusApp } from "../agent/status.js";
import { loadAgentConfig, type AgentConfig } from "../config/agent/index.js";
import type { FlagValues } from "../config/flags.js";
import type { HostPort } from "../config/server-config.js";
import type { Log } from "../services/ports.js";
import { AGENT_USER_AGENT, type AgentCliDeps } from "./agent-deps.js";
import { VERSION } from "./version.js";

export interface OpenedAgent {
  readonly config: AgentConfig;
  readonly assembled: Assembled;
  readonly deps: AssembleDeps;
  readonly log: Log;
}

/** Loads the config (throws ConfigError) and creates sources, targets and notifiers. */
export function openAgent(
  file: string | undefined,
  flags: FlagValues,
  cli: AgentCliDeps,
  log?: Log,
): OpenedAgent {
  const warnings: string[] = [];
  const config = loadAgentConfig({
    file,
    env: cli.env,
    flags,
    cwd: cli.cwd,
    warn: (m) => warnings.push(m),
    ...(cli.readFile === undefined ? {} : { readFile: cli.readFile }),
  });
  const logger = log ?? cli.logger(config.log.level);
  for (const w of warnings) logger.warn({}, w);
  const net = cli.net();
  const deps: AssembleDeps = { ...net, clock: cli.clock, userAgent: config.userAgent ?? AGENT_USER_AGENT };
  return { config, assembled: assembleAgent(config, deps), deps, log: logger };
}

export function createLoopFor(agent: OpenedAgent, cli: AgentCliDeps, state?: StateStore): AgentLoop {
  return createAgentLoop(
    agent.assembled.records,
    { intervalMs: agent.config.intervalMs, verifyEvery: agent.config.verifyEvery },
    {
      clock: cli.clock,
      timers: cli.timers,
      random: cli.random,
      log: agent.log,
      detect: (sources, opts) => detectAddress(sources, opts, { clock: cli.clock }),
      readInterfaces: agent.deps.readInterfaces,
      dnsQuery: agent.deps.dnsQuery,
      verifyResolver: agent.config.verifyResolver,
      state: state ?? createStateFile(agent.config.stateFile, agent.log),
      notifiers: agent.assembled.notifiers,
    },
  );
}

export interface RunningAgent {
  readonly loop: AgentLoop;
  /** Where the status port listens (port resolved when configured as 0). */
  readonly status: HostPort | undefined;
  /** Re-reads the configuration; on error logs it and keeps running the old one. */
  reload(): void;
  stop(): Promise<void>;
}

/** Starts the loop and the status port. */
export async function startAgent(
  file: string | undefined,
  flags: FlagValues,
  cli: AgentCliDeps,
  agent: OpenedAgent,
): Promise<RunningAgent> {
  const loop = createLoopFor(agent, cli);
  const listen = agent.config.status.listen;
  let server: ServerType | undefined;
  let status: HostPort | undefined;
  if (listen !== undefined) {
    const app = createStatusApp({
      status: () => loop.status(),
      registry: createAgentMetrics(() => loop.status()),
      version: VERSION,
    });
    const started = await listenStatus(app.fetch, listen);
    server = started.server;
    status = { host: listen.host, port: started.port };
  }
  loop.start();
  return {
    loop,
    status,
    reload() {
      try {
        const next = openAgent(file, flags, cli, agent.log);
        loop.reload(next.assembled.records);
        agent.log.info({ records: next.config.records.length }, "configuration reloaded");
      } catch (e) {
        agent.log.error(
          { err: e instanceof Error ? e.message : String(e) },
          "reload failed; keeping the running configuration",
        );
      }
    },
    async stop() {
      await loop.stop();
      if (server !== undefined) await closeServer(server);
    },
  };
}

function listenStatus(
  fetch: (req: Request) => Response | Promise<Response>,
  at: HostPort,
): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serveHttp({ fetch, hostname: at.host, port: at.port }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    );
    server.once("error", reject);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    const s = server as HttpServer;
    s.close(() => resolve());
    s.closeAllConnections();
  });
}
