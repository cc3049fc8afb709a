// The `beacon` command tree. Each subcommand lives in commands/; this file assembles them and gives
// every command that reads a configuration one flag per setting of that configuration's table.

import { Command } from "commander";
import { AGENT_TABLE } from "../agent/config/settings.js";
import { SERVER_TABLE } from "../config/settings.js";
import type { SettingsTable } from "../config/table.js";
import { registerAcme } from "./commands/acme.js";
import { registerAgent } from "./commands/agent.js";
import { registerAwsSample } from "./commands/aws-sample.js";
import { registerBackup } from "./commands/backup.js";
import { registerHistory } from "./commands/history.js";
import { registerHost } from "./commands/host.js";
import { registerKey } from "./commands/key.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerMirror } from "./commands/mirror.js";
import { registerPool } from "./commands/pool.js";
import { registerProviders } from "./commands/providers.js";
import { registerServe } from "./commands/serve.js";
import { registerToken } from "./commands/token.js";
import { registerUser } from "./commands/user.js";
import { registerWebhook } from "./commands/webhook.js";
import { registerTrust } from "./commands/trust.js";
import { registerZone } from "./commands/zone.js";
import { addSettingOptions } from "./setting-options.js";
import { VERSION } from "./version.js";

/**
 * Which commands read which configuration: "x" is the command x, "x *" each of its subcommands.
 * `serve` and the agent's commands list their settings in `--help`; admin commands accept the
 * server's (they open the store `serve` would) without listing them.
 */
const READERS: readonly { table: SettingsTable; commands: readonly string[]; hidden: boolean }[] = [
  { table: SERVER_TABLE, commands: ["serve"], hidden: false },
  {
    table: SERVER_TABLE,
    commands: [
      "migrate",
      "backup",
      "restore",
      "zone *",
      "host *",
      "token *",
      "key *",
      "user *",
      "history",
      "mirror *",
      "pool *",
      "webhook *",
      "trust *",
      "aws-sample *",
      "acme *",
    ],
    hidden: true,
  },
  { table: AGENT_TABLE, commands: ["agent", "ip", "update"], hidden: false },
];

const HIDDEN_HELP =
  "\nEvery setting flag of `beacon serve` is accepted too (--data-dir, --store-sqlite-path, …; see `beacon serve --help`).";

export function createProgram(): Command {
  const program = new Command("beacon")
    .description("Beacon: self-hosted dynamic DNS (server, agent, providers)")
    .version(VERSION)
    .option(
      "-c, --config <file>",
      "YAML configuration file (also BEACON_CONFIG, or BEACON_AGENT_CONFIG for the agent)",
    )
    .option("--data-dir <dir>", "where the SQLite database lives (also BEACON_DATA_DIR)")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  registerServe(program);
  registerMigrate(program);
  registerBackup(program);
  registerZone(program);
  registerHost(program);
  registerToken(program);
  registerKey(program);
  registerUser(program);
  registerHistory(program);
  registerMirror(program);
  registerPool(program);
  registerWebhook(program);
  registerTrust(program);
  registerAcme(program);
  registerAgent(program);
  registerProviders(program);
  registerAwsSample(program);

  for (const { table, commands, hidden } of READERS) {
    for (const cmd of commands.flatMap((path) => resolveCommands(program, path))) {
      addSettingOptions(cmd, table, { hidden });
      if (hidden) cmd.addHelpText("after", HIDDEN_HELP);
    }
  }
  return program;
}

function resolveCommands(program: Command, path: string): readonly Command[] {
  const [name, all] = path.split(" ");
  const cmd = program.commands.find((c) => c.name() === name);
  if (cmd === undefined) throw new Error(`no command ${name}`);
  return all === "*" ? cmd.commands : [cmd];
}
