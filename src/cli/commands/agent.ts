// `beacon agent` (long-running), `beacon ip` and `beacon update` (one-shot), and
// `beacon agent install-service`. Bodies live in agent-ip.ts / agent-update.ts and agent-runtime.ts.

import type { Command } from "commander";
import { BeaconError } from "../../core/errors.js";
import { AGENT_TABLE } from "../../agent/config/settings.js";
import { action } from "../action.js";
import { processAgentDeps, type AgentCliDeps } from "../agent-deps.js";
import { openAgent, startAgent, type OpenedAgent, type RunningAgent } from "../agent-runtime.js";
import type { Io } from "../output.js";
import { settingFlags } from "../setting-options.js";
import { webAssets } from "../web-assets.js";
import { runIp } from "./agent-ip.js";
import { registerPassword } from "./agent-password.js";
import { registerInstallService } from "./agent-service.js";
import { runUpdate } from "./agent-update.js";
import { intOption } from "./options.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").filter((s) => s !== "")];
}

export function registerAgent(program: Command, deps: AgentCliDeps = processAgentDeps): void {
  const agent = program
    .command("agent")
    .description("run the agent: detect the public address and keep DNS records pointed at it")
    .action(
      action(async (io, opts) => {
        const running = await runAgent(io, opts, deps);
        await untilSignal(running);
      }),
    );
  registerInstallService(agent);
  registerPassword(agent);

  program
    .command("ip")
    .description("ask every IP source once and show each answer and the verdict (exit 1 unless they agree)")
    .option("--family <4|6>", "address family", "4")
    .option("--source <id>", "ask only these sources (configured or built-in ids; repeatable)", collect)
    .option("--quorum <n>", "independent sources that must agree (default 2)", intOption("--quorum"))
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        process.exitCode = await runIp(io, opts, deps);
      }),
    );

  program
    .command("update")
    .description("push every configured record once: publishes only what changed (exit 1 if any failed)")
    .option("--dry-run", "detect and show what would be published; send and save nothing")
    .option("--force", "publish even when unchanged (and retry records stopped by a fatal reply)")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        process.exitCode = await runUpdate(io, opts, deps);
      }),
    );
}

/** Starts the agent from the command's options; prints a short banner. */
export async function runAgent(
  io: Io,
  opts: Record<string, unknown>,
  deps: AgentCliDeps,
): Promise<RunningAgent> {
  const flags = settingFlags(AGENT_TABLE, opts);
  const file = typeof opts["config"] === "string" ? opts["config"] : undefined;
  const opened = openAgent(file, flags, deps);
  if (opened.config.records.length === 0)
    throw new BeaconError(
      "bad_request",
      `no records are configured${opened.config.source.file === undefined ? " (use --config or BEACON_AGENT_CONFIG)" : ` in ${opened.config.source.file}`}`,
    );
  const running = await startAgent(file, flags, deps, opened, { assets: webAssets });
  const status = running.status;
  const base =
    status === undefined
      ? ""
      : `http://${status.host.includes(":") ? `[${status.host}]` : status.host}:${status.port}`;
  io.out(
    [
      `Beacon agent running: ${opened.config.records.length} record(s), state in ${opened.config.stateFile}.`,
      status === undefined
        ? "  status port disabled"
        : `  status ${base}/healthz and /metrics; local page ${base}/${pageNote(opened.config)}`,
      "Stop with Ctrl-C or SIGTERM; SIGHUP reloads sources, targets and records.",
    ].join("\n"),
  );
  const code = running.setupCode;
  if (code !== undefined) {
    // As `beacon serve` prints its first-run code: on the terminal, and in the log for services.
    opened.log.info({ setupCode: code, url: `${base}/` }, "local page setup");
    io.err(
      [
        "",
        "The local page is read-only until it has a password. Open it and enter this one-time setup code",
        "(or create one with `beacon agent password` and put it in status.password_hash):",
        `  ${code}`,
      ].join("\n"),
    );
  } else if (running.setupUnavailable !== undefined) {
    opened.log.warn(
      { reason: running.setupUnavailable },
      "local page read-only: no password can be set from it",
    );
    io.err(
      `\nThe local page is read-only: ${running.setupUnavailable}. Create a password with \`beacon agent password\`, put it in status.password_hash and restart.`,
    );
  }
  return running;
}

function pageNote(config: OpenedAgent["config"]): string {
  if (config.status.passwordHash !== undefined) return " (password protected)";
  if (config.status.scope === "loopback")
    return config.source.file === undefined
      ? " (read-only: no file to store a password in)"
      : " (read-only until a password is set)";
  return " (403 until status.password_hash is set)";
}

function untilSignal(running: RunningAgent): Promise<void> {
  return new Promise((resolve, reject) => {
    const reload = () => running.reload();
    const stop = () => {
      process.off("SIGHUP", reload);
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      running.stop().then(resolve, reject);
    };
    process.on("SIGHUP", reload);
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}
