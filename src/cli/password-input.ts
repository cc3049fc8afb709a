// Reading a new password for a CLI command: the first line of --password-file, else of stdin when it
// is not a terminal (scripts, pipes), else a prompt asked twice without echo. Never an argument (argv is
// visible to every user of the machine); never printed or logged.

import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { BeaconError } from "../core/errors.js";

/** A password file or pipe holds one short line; more is a mistake, not a password. */
const MAX_PASSWORD_INPUT = 64 * 1024;

export interface PasswordInput {
  /** True when stdin is a terminal (then `prompt` is used, twice). */
  readonly interactive: boolean;
  /** All of stdin (non-interactive). */
  readStdin(): Promise<string>;
  /** Asks on the terminal without echoing the answer. */
  prompt(question: string): Promise<string>;
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
      if (size > MAX_PASSWORD_INPUT)
        throw new BeaconError("bad_request", "stdin is too large for a password");
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

/** Reads a file's text; errors are bad_request naming the file. */
export type ReadText = (path: string) => Promise<string>;

function firstLine(text: string): string {
  if (text.length > MAX_PASSWORD_INPUT)
    throw new BeaconError("bad_request", "the password input is too large");
  return (text.split(/\r?\n/)[0] ?? "").replace(/\r$/, "");
}

/** The new password from `file` (when given), stdin or the terminal (asked twice, must match). */
export async function readNewPassword(
  input: PasswordInput,
  who: string,
  file?: { readonly path: string; readonly read: ReadText },
): Promise<string> {
  if (file !== undefined) return firstLine(await file.read(file.path));
  if (!input.interactive) return firstLine(await input.readStdin());
  const pw = await input.prompt(`New password for ${who}: `);
  const again = await input.prompt("Same password again: ");
  if (pw !== again) throw new BeaconError("bad_request", "the two passwords differ; nothing was changed");
  return pw;
}
