// The `beacon` command (loaded by main.ts). Each subcommand lives in commands/; this file only
// assembles them.

import { Command, CommanderError } from "commander";
import { registerAgent } from "./commands/agent.js";
import { registerHistory } from "./commands/history.js";
import { registerHost } from "./commands/host.js";
import { registerKey } from "./commands/key.js";
import { registerMirror } from "./commands/mirror.js";
import { registerProviders } from "./commands/providers.js";
import { registerServe } from "./commands/serve.js";
import { registerToken } from "./commands/token.js";
import { registerUser } from "./commands/user.js";
import { registerZone } from "./commands/zone.js";
import { EXIT } from "./output.js";
import { VERSION } from "./version.js";

const program = new Command("beacon")
  .description("Beacon: self-hosted dynamic DNS (server, agent, providers)")
  .version(VERSION)
  .option("-c, --config <file>", "YAML configuration file (also BEACON_CONFIG)")
  .option("--data-dir <dir>", "where the SQLite database lives (also BEACON_DATA_DIR)")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerServe(program);
registerZone(program);
registerHost(program);
registerToken(program);
registerKey(program);
registerUser(program);
registerHistory(program);
registerMirror(program);
registerAgent(program);
registerProviders(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    throw e;
  }
}
