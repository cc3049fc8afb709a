// `beacon agent password`: makes the status.password_hash for the agent's local page. The password
// comes from stdin when it is not a terminal (first line; scripts, `--password-file` style pipes),
// else from a prompt asked twice without echo. Prints only the hash line for the YAML (or --json);
// the password itself is never printed or logged.

import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import type { Command } from "commander";
import { BeaconError } from "../../core/errors.js";
import { hashPassword, passwordProblem } from "../../services/auth/passwords.js";
import { action } from "../action.js";
import { printJson, type Io } from "../output.js";

export interface PasswordInput {
  /** True when stdin is a terminal (then `prompt` is used, twice). */
  readonly interactive: boolean;
  /** All of stdin (non-interactive). */
  readStdin(): Promise<string>;
  /** Asks on the terminal without echoing the answer. */
  prompt(question: string): Promise<string>;
}

export interface PasswordOptions {
  readonly json?: boolean;
}

/** Most of a pipe: a password file is one short line; more is a mistake, not a password. */
const MAX_STDIN = 64 * 1024;

export async function runPassword(
  io: Io,
  opts: PasswordOptions,
  input: PasswordInput,
  hash: (pw: string) => Promise<string> = hashPassword,
): Promise<void> {
  let password: string;
  if (input.interactive) {
    password = await input.prompt("Password for the agent's local page: ");
    const again = await input.prompt("Same password again: ");
    if (password !== again)
      throw new BeaconError("bad_request", "the two passwords differ; nothing was made");
  } else {
    const text = await input.readStdin();
    if (text.length > MAX_STDIN) throw new BeaconError("bad_request", "stdin is too large for a password");
    password = (text.split(/\r?\n/)[0] ?? "").replace(/\r$/, "");
  }
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

export const processPasswordInput: PasswordInput = {
  // A getter: touching process.stdin creates the stream, which no other command should pay for.
  get interactive() {
    return process.stdin.isTTY === true;
  },
  async readStdin() {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += b.length;
      if (size > MAX_STDIN) throw new BeaconError("bad_request", "stdin is too large for a password");
      chunks.push(b);
    }
    return Buffer.concat(chunks).toString("utf8");
  },
  async prompt(question) {
    let muted = false;
    const output = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (!muted) process.stderr.write(chunk);
        done();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    try {
      const answer = rl.question(question);
      muted = true;
      return await answer;
    } finally {
      rl.close();
      process.stderr.write("\n");
    }
  },
};

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
