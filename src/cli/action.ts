import type { Command } from "commander";
import type { GlobalOptions } from "./context.js";
import { processIo, reportError, type Io } from "./output.js";

/**
 * Wraps a command body: global options merged in, errors printed once with their code, and the exit
 * status set from the error kind. Bodies never call process.exit themselves.
 */
export function action<A extends unknown[]>(
  body: (io: Io, opts: GlobalOptions & Record<string, unknown>, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2) as A;
    try {
      await body(processIo, cmd.optsWithGlobals(), ...positional);
    } catch (e) {
      process.exitCode = reportError(processIo, e);
    }
  };
}
