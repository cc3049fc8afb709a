// `beacon agent password`: makes the status.password_hash for the agent's local page. The password
// comes from stdin when it is not a terminal (first line; scripts, `--password-file` style pipes),
// else from a prompt asked twice without echo. Prints only the hash line for the YAML (or --json);
// the password itself is never printed or logged.

import type { Command } from "commander";
import { BeaconError } from "../../core/errors.js";
import { hashPassword, passwordProblem } from "../../services/auth/passwords.js";
import { action } from "../action.js";
import { printJson, type Io } from "../output.js";
import { processPasswordInput, readNewPassword, type PasswordInput } from "../password-input.js";

export interface PasswordOptions {
  readonly json?: boolean;
}

export async function runPassword(
  io: Io,
  opts: PasswordOptions,
  input: PasswordInput,
  hash: (pw: string) => Promise<string> = hashPassword,
): Promise<void> {
  const password = await readNewPassword(input, "the agent's local page");
  const problem = passwordProblem(password);
  if (problem !== undefined) throw new BeaconError("weak_password", problem);
  const stored = await hash(password);
  if (opts.json === true) {
    printJson(io, { passwordHash: stored });
    return;
  }
  io.err("Put this under `status:` in the agent's YAML (or in BEACON_AGENT_STATUS_PASSWORD_HASH):");
  io.out(`  password_hash: "${stored}"`);
}

export function registerPassword(agent: Command, input: PasswordInput = processPasswordInput): void {
  agent
    .command("password")
    .description("make a status.password_hash for the agent's local page (password from stdin or a prompt)")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        await runPassword(io, { json: opts["json"] === true }, input);
      }),
    );
}
