// Building and running an agent from its configuration: the steps `beacon agent`, `beacon update` and
// `beacon ip` share. Everything concrete comes from AgentCliDeps.

import { serve as serveHttp, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { assembleAgent, type Assembled, type AssembleDeps } from "../agent/loop/assemble.js";
import { detectAddress } from "../agent/detect/verdict.js";
import { createAgentLoop, type AgentLoop } from "../agent/loop/loop.js";
import type { ReconcileDeps } from "../agent/loop/reconcile.js";
import { createAgentMetrics } from "../agent/metrics.js";
import { createStateFile, type StateStore } from "../agent/state-file.js";
import { createStatusApp } from "../agent/status.js";
import { pageAccess } from "../agent/ui/auth.js";
import { createCandidateCheck, withPasswordHash } from "../agent/ui/candidate.js";
import type { Applied } from "../agent/ui/config-api.js";
import { createConfigFile } from "../agent/ui/config-file.js";
import type { PageDeps } from "../agent/ui/page-app.js";
import { loadAgentConfig, type AgentConfig } from "../agent/config/index.js";
import type { FlagValues } from "../config/flags.js";
import type { HostPort } from "../config/server-config.js";
import type { AssetReader } from "../http/pages/assets.js";
import { generateSetupCode } from "../services/auth/setup-code.js";
import type { Log } from "../core/log.js";
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
  const logger = log ?? cli.logger(config.log);
  for (const w of warnings) logger.warn({}, w);
  const net = cli.net();
  const deps: AssembleDeps = { ...net, clock: cli.clock, userAgent: config.userAgent ?? AGENT_USER_AGENT };
  return { config, assembled: assembleAgent(config, deps), deps, log: logger };
}

/** What one cycle needs: shared by the loop and the local page's dry run. */
export function reconcileDepsFor(
  agent: OpenedAgent,
  cli: AgentCliDeps,
): Omit<ReconcileDeps, "publishTimeoutMs"> {
  return {
    clock: cli.clock,
    timers: cli.timers,
    detect: (sources, opts) => detectAddress(sources, opts, { clock: cli.clock }),
    readInterfaces: agent.deps.readInterfaces,
    dnsQuery: agent.deps.dnsQuery,
    verifyResolver: agent.config.verifyResolver,
  };
}

export function createLoopFor(agent: OpenedAgent, cli: AgentCliDeps, state?: StateStore): AgentLoop {
  return createAgentLoop(
    agent.assembled.records,
    { intervalMs: agent.config.intervalMs, verifyEvery: agent.config.verifyEvery },
    {
      ...reconcileDepsFor(agent, cli),
      random: cli.random,
      log: agent.log,
      state: state ?? createStateFile(agent.config.stateFile, agent.log),
      notifiers: agent.assembled.notifiers,
    },
  );
}

export interface RunningAgent {
  readonly loop: AgentLoop;
  /** Where the status port listens (port resolved when configured as 0). */
  readonly status: HostPort | undefined;
  /**
   * The one-time code that sets the local page's password from the page (loopback, no password yet,
   * a configuration file the agent may write); undefined otherwise. The caller prints it.
   */
  readonly setupCode: string | undefined;
  /** Why the page cannot set its password although it has none (the file is not writable). */
  readonly setupUnavailable: string | undefined;
  /** Re-reads the configuration; on error logs it and keeps running the old one. */
  reload(): Applied;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The local page's files (src/cli/web-assets.ts); without them only /healthz and /metrics. */
  readonly assets?: AssetReader;
}

/** Starts the loop and the status port (with the local page when `opts.assets` is given). */
export async function startAgent(
  file: string | undefined,
  flags: FlagValues,
  cli: AgentCliDeps,
  agent: OpenedAgent,
  opts: StartOptions = {},
): Promise<RunningAgent> {
  const loop = createLoopFor(agent, cli);
  const listen = agent.config.status.listen;
  let server: ServerType | undefined;
  let status: HostPort | undefined;
  let setupCode: string | undefined;
  let setupUnavailable: string | undefined;
  const reload = (): Applied => {
    try {
      const next = openAgent(file, flags, cli, agent.log);
      loop.reload(next.assembled.records);
      agent.log.info({ records: next.config.records.length }, "configuration reloaded");
      return { ok: true, records: next.config.records.length };
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      agent.log.error({ err: detail }, "reload failed; keeping the running configuration");
      return { ok: false, detail };
    }
  };
  if (listen !== undefined) {
    const page =
      opts.assets === undefined
        ? undefined
        : await pageDeps(agent, flags, cli, loop, opts.assets, () => {
            const r = reload();
            if (r.ok) loop.runNow();
            return r;
          });
    setupCode = page?.setupCode;
    setupUnavailable = page?.setupUnavailable;
    const app = createStatusApp({
      status: () => loop.status(),
      heartbeats: () => loop.heartbeats(),
      registry: createAgentMetrics(
        () => loop.status(),
        () => loop.heartbeats(),
      ),
      version: VERSION,
      ...(page === undefined ? {} : { page }),
    });
    const started = await listenStatus(app.fetch, listen);
    server = started.server;
    status = { host: listen.host, port: started.port };
  }
  loop.start();
  return {
    loop,
    status,
    setupCode,
    setupUnavailable,
    reload,
    async stop() {
      await loop.stop();
      if (server !== undefined) await closeServer(server);
    },
  };
}

async function pageDeps(
  agent: OpenedAgent,
  flags: FlagValues,
  cli: AgentCliDeps,
  loop: AgentLoop,
  assets: AssetReader,
  apply: () => Applied,
): Promise<PageDeps | undefined> {
  const { listen, scope, passwordHash } = agent.config.status;
  if (listen === undefined || scope === undefined) return undefined;
  const path = agent.config.source.file;
  const file = path === undefined ? undefined : createConfigFile(path);
  // A setup code only where setting the password from the page can work (loopback without one, and
  // a file the agent may write: not under systemd's read-only /etc, for one).
  const setup = pageAccess(scope, passwordHash).kind === "setup" && file !== undefined;
  const unwritable = setup ? await file.writeProblem() : undefined;
  // The running configuration as candidates are compared with it: a password set from the page is
  // in effect at once, so it is no "restart required" change.
  let running = agent.config;
  return {
    listen: { host: listen.host, scope },
    passwordHash,
    setupCode: setup && unwritable === undefined ? generateSetupCode(agent.deps.randomBytes) : undefined,
    ...(unwritable === undefined ? {} : { setupUnavailable: unwritable }),
    onPasswordSet: (hash) => {
      running = withPasswordHash(running, hash);
    },
    assets,
    clock: cli.clock,
    log: agent.log,
    clientAddress: (c) => {
      try {
        return getConnInfo(c).remote.address;
      } catch {
        return undefined; // not on a Node socket (in-process requests)
      }
    },
    statusApi: {
      version: VERSION,
      configFile: path,
      intervalMs: agent.config.intervalMs,
      status: () => loop.status(),
      runNow: () => loop.runNow(),
    },
    config: {
      file,
      check:
        path === undefined
          ? () => ({
              ok: false,
              issues: [
                {
                  setting: undefined,
                  source: { kind: "default" },
                  message: "the agent runs without a configuration file",
                },
              ],
            })
          : createCandidateCheck({
              file: path,
              env: cli.env,
              flags,
              cwd: cli.cwd,
              ...(cli.readFile === undefined ? {} : { readFile: cli.readFile }),
              deps: agent.deps,
              running: () => running,
            }),
      apply,
      status: () => loop.status(),
      reconcile: { ...reconcileDepsFor(agent, cli), publishTimeoutMs: 30_000 },
      timers: cli.timers,
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
