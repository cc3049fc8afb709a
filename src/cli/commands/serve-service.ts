// `beacon serve install-service`: installs `beacon serve` as the systemd service beacon.service
// (cli/serve/service-unit.ts), or prints it with --dry-run. Linux only; applying needs root. The
// planning, printing and applying are the agent's (agent-service.ts, agent/service/install.ts).
//
// `--config` is the program-wide option (commander hands it to the program wherever it appears); the
// subcommand declares it again only so its help shows the default.

import path from "node:path";
import type { Command } from "commander";
import { BeaconError } from "../../core/errors.js";
import { action } from "../action.js";
import type { Io } from "../output.js";
import { DEFAULT_SERVER_CONFIG, PACKAGED_PATHS, planServerInstall } from "../serve/service-unit.js";
import { printOrApply, processServiceDeps, type InstallServiceDeps } from "./agent-service.js";

export function registerServeInstallService(
  serve: Command,
  deps: InstallServiceDeps = processServiceDeps,
): void {
  serve
    .command("install-service")
    .description("install the server as the systemd service beacon.service; --dry-run prints it")
    .option("-c, --config <path>", `the config file the service runs with (default ${DEFAULT_SERVER_CONFIG})`)
    .option("--user <name>", "account to run as, created when missing (default beacon; never root)")
    .option("--node <path>", "node binary the service runs (default: this one)")
    .option("--entry <path>", "Beacon's dist/cli/main.js (default: this one)")
    .option("--dry-run", "print the files and commands instead of applying them")
    .option("--json", "machine-readable output")
    .action(action((io, opts) => installServerService(io, opts, deps)));
}

/** The command body, separate from commander so tests can drive it with their own Io and deps. */
export async function installServerService(
  io: Io,
  opts: Record<string, unknown>,
  deps: InstallServiceDeps,
): Promise<void> {
  const dryRun = opts["dryRun"] === true;
  const here = deps.platform === "linux";
  if (!dryRun && !here)
    throw new BeaconError(
      "bad_request",
      `beacon.service is a systemd unit and this machine runs ${deps.platform}; add --dry-run to print it`,
    );
  // Relative paths mean "from here" only on the machine the service runs on.
  const abs = (p: string) => (here ? path.posix.resolve(deps.cwd(), p) : p);
  const node = opts["node"] as string | undefined;
  const entry = opts["entry"] as string | undefined;
  const config = abs((opts["config"] as string | undefined) ?? DEFAULT_SERVER_CONFIG);
  const entryPath = entry !== undefined ? abs(entry) : here ? deps.entryPath : PACKAGED_PATHS.entryPath;

  const plan = planServerInstall({
    nodePath: node !== undefined ? abs(node) : here ? deps.nodePath : PACKAGED_PATHS.nodePath,
    entryPath,
    configPath: config,
    user: opts["user"] as string | undefined,
  });
  if (!here && (node === undefined || entry === undefined))
    plan.notes.unshift("node and Beacon paths are examples; pass --node and --entry with the real ones.");
  if (here) {
    // A service pointing at a missing entry fails at every boot; say so now (run from source, the
    // default entry is a .js file that only exists after `npm run build`).
    if (!deps.exists(entryPath)) {
      const problem = `--entry: ${entryPath} does not exist; pass --entry with Beacon's dist/cli/main.js`;
      if (!dryRun) throw new BeaconError("bad_request", problem);
      plan.notes.unshift(problem);
    }
    if (!deps.exists(config))
      plan.notes.unshift(`${config} does not exist yet: create it before the service starts.`);
  }
  if (dryRun) plan.notes.push("Dry run: nothing was written and no command was run.");
  return printOrApply(io, plan, { dryRun, json: opts["json"] === true }, deps);
}
