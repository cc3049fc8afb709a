// `beacon agent install-service`: plans the service files and commands for a platform, prints them
// with --dry-run, or applies them on this machine (as root on Linux and macOS).
//
// `--config` is also the program-wide option, and commander hands it to the program wherever it
// appears on the line; the subcommand declares it again only so its help shows it is required.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { BeaconError } from "../../core/errors.js";
import {
  applyInstall,
  isServicePlatform,
  planInstall,
  type InstallDeps,
  type InstallPlan,
  type ServicePlatform,
} from "../../agent/service/install.js";
import { cmdEscape, shellCommandLine, windowsCommandLine } from "../../agent/service/quote.js";
import { action } from "../action.js";
import { printJson, type Io } from "../output.js";
import { intOption } from "./options.js";

export interface InstallServiceDeps {
  /** The machine's platform: the default for --platform, and the only one that can be applied. */
  readonly platform: NodeJS.Platform;
  readonly isRoot: () => boolean;
  readonly cwd: () => string;
  readonly exists: (path: string) => boolean;
  /** Defaults for --node and --entry on this machine. */
  readonly nodePath: string;
  readonly entryPath: string;
  readonly install: InstallDeps;
}

/** Example locations used when planning for another platform without --node/--entry. */
const EXAMPLE_PATHS: Record<ServicePlatform, { node: string; entry: string }> = {
  linux: { node: "/usr/bin/node", entry: "/usr/lib/node_modules/beacon-ddns/dist/cli/main.js" },
  darwin: { node: "/usr/local/bin/node", entry: "/usr/local/lib/node_modules/beacon-ddns/dist/cli/main.js" },
  win32: {
    node: "C:\\Program Files\\nodejs\\node.exe",
    entry: "C:\\Program Files\\nodejs\\node_modules\\beacon-ddns\\dist\\cli\\main.js",
  },
};

export const processInstallDeps: InstallDeps = {
  async writeFile(file, content, mode) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, { mode });
    await chmod(file, mode); // the mode option applies only when the file is created
  },
  run(argv) {
    return new Promise((resolve, reject) => {
      const [cmd, ...args] = argv;
      if (cmd === undefined) return reject(new BeaconError("internal", "empty command"));
      // Child output goes to stderr so that --json output on stdout stays parseable.
      const child = spawn(cmd, args, { stdio: ["ignore", 2, 2] });
      child.on("error", (e) => reject(new BeaconError("internal", `cannot run ${cmd}: ${e.message}`)));
      child.on("close", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
    });
  },
};

export const processServiceDeps: InstallServiceDeps = {
  platform: process.platform,
  isRoot: () => process.getuid?.() === 0,
  cwd: () => process.cwd(),
  exists: existsSync,
  nodePath: process.execPath,
  entryPath: fileURLToPath(new URL("../main.js", import.meta.url)),
  install: processInstallDeps,
};

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerInstallService(agent: Command, deps: InstallServiceDeps = processServiceDeps): void {
  agent
    .command("install-service")
    .description("install the agent as a system service (systemd, launchd or Windows); --dry-run prints it")
    .option("-c, --config <path>", "the config file the service runs with (required)")
    .option("--platform <platform>", "linux, darwin or win32", deps.platform)
    .option("--user <name>", "account to run as (Linux default: a systemd dynamic user; never root)")
    .option("--group <name>", "group to run as (default: the user's)")
    .option("--state-dir <dir>", "where the agent keeps its state (Linux default /var/lib/beacon)")
    .option(
      "--secret-file <path>",
      "a secret file the agent reads via a *_FILE setting (repeatable)",
      collect,
    )
    .option(
      "--status-port <port>",
      "the agent's status port (below 1024 keeps CAP_NET_BIND_SERVICE)",
      intOption("--status-port"),
    )
    .option("--label <label>", "launchd label (default dev.beacon.agent)")
    .option("--node <path>", "node binary the service runs (default: this one)")
    .option("--entry <path>", "Beacon's dist/cli/main.js (default: this one)")
    .option("--dry-run", "print the files and commands instead of applying them")
    .option("--json", "machine-readable output")
    .action(action((io, opts) => installService(io, opts, deps)));
}

/** The command body, separate from commander so tests can drive it with their own Io and deps. */
export async function installService(
  io: Io,
  opts: Record<string, unknown>,
  deps: InstallServiceDeps,
): Promise<void> {
  const platform = opts["platform"] as string;
  if (!isServicePlatform(platform))
    throw new BeaconError("bad_request", `--platform: "${platform}" is not one of linux, darwin, win32`);
  const config = opts["config"] as string | undefined;
  if (config === undefined)
    throw new BeaconError(
      "bad_request",
      "--config <path> is required: the config file the service will run with",
    );
  const dryRun = opts["dryRun"] === true;
  const here = platform === deps.platform;
  if (!dryRun && !here)
    throw new BeaconError(
      "bad_request",
      `this machine runs ${deps.platform}; add --dry-run to print the ${platform} service instead`,
    );
  // Relative paths mean "from here" only when planning for this machine.
  const abs = (p: string) =>
    here ? (platform === "win32" ? path.win32 : path.posix).resolve(deps.cwd(), p) : p;
  const node = opts["node"] as string | undefined;
  const entry = opts["entry"] as string | undefined;
  const examples = !here && (node === undefined || entry === undefined);
  const stateDir = opts["stateDir"] as string | undefined;

  const plan = planInstall({
    platform,
    dryRun,
    nodePath: node !== undefined ? abs(node) : here ? deps.nodePath : EXAMPLE_PATHS[platform].node,
    entryPath: entry !== undefined ? abs(entry) : here ? deps.entryPath : EXAMPLE_PATHS[platform].entry,
    configPath: abs(config),
    user: opts["user"] as string | undefined,
    group: opts["group"] as string | undefined,
    stateDir: stateDir === undefined ? undefined : abs(stateDir),
    secretFiles: ((opts["secretFile"] as string[] | undefined) ?? []).map(abs),
    label: opts["label"] as string | undefined,
    statusPort: opts["statusPort"] as number | undefined,
  });
  if (examples)
    plan.notes.unshift(
      `node and Beacon paths are examples for ${platform}; pass --node and --entry with the real ones.`,
    );
  if (here) {
    // A service pointing at a missing entry fails at every boot; say so now (run from source, the
    // default entry is a .js file that only exists after `npm run build`).
    const entryPath = entry !== undefined ? abs(entry) : deps.entryPath;
    if (!deps.exists(entryPath)) {
      const problem = `--entry: ${entryPath} does not exist; pass --entry with Beacon's dist/cli/main.js`;
      if (!dryRun) throw new BeaconError("bad_request", problem);
      plan.notes.unshift(problem);
    }
    if (!deps.exists(abs(config)))
      plan.notes.unshift(`${abs(config)} does not exist yet: create it before the service starts.`);
  }

  return printOrApply(io, plan, { dryRun, json: opts["json"] === true }, deps);
}

/**
 * Prints the plan (--dry-run, as text or --json), or applies it and prints what was done. Applying
 * needs root except on Windows; throws BeaconError("forbidden") otherwise, before anything is written.
 */
export async function printOrApply(
  io: Io,
  plan: InstallPlan,
  { dryRun, json }: { readonly dryRun: boolean; readonly json: boolean },
  deps: Pick<InstallServiceDeps, "isRoot" | "install">,
): Promise<void> {
  if (dryRun) {
    if (json) return printJson(io, { dryRun: true, ...jsonPlan(plan) });
    return io.out(describePlan(plan));
  }
  if (plan.platform !== "win32" && !deps.isRoot())
    throw new BeaconError(
      "forbidden",
      "installing a system service needs root: run it with sudo, or add --dry-run to print what it would do",
    );
  const result = await applyInstall(plan, deps.install);
  if (json) return printJson(io, { dryRun: false, ...jsonPlan(plan), ...result });
  io.out(
    [
      ...result.written.map((f) => `wrote ${f}`),
      ...result.ran.map((c) => `ran   ${formatCommand(c, plan.platform)}`),
      ...plan.notes.map((n) => `note: ${n}`),
    ].join("\n"),
  );
}

function jsonPlan(plan: InstallPlan) {
  return {
    platform: plan.platform,
    files: plan.files.map((f) => ({ path: f.path, mode: octal(f.mode), content: f.content })),
    commands: plan.commands,
    notes: plan.notes,
  };
}

const octal = (mode: number) => `0${mode.toString(8)}`;

export function formatCommand(argv: readonly string[], platform: ServicePlatform): string {
  return platform === "win32" ? cmdEscape(windowsCommandLine(argv)) : shellCommandLine(argv);
}

/** The plan for a person: each file with its path and mode, then the commands, then the notes. */
export function describePlan(plan: InstallPlan): string {
  const parts = plan.files.map((f) => `# ${f.path} (mode ${octal(f.mode)})\n${f.content}`);
  const prompt = plan.platform === "win32" ? "> " : "$ ";
  parts.push(
    ["# commands, in order", ...plan.commands.map((c) => prompt + formatCommand(c, plan.platform))].join(
      "\n",
    ),
  );
  parts.push(["# notes", ...plan.notes.map((n) => `- ${n}`)].join("\n"));
  return parts.join("\n");
}
