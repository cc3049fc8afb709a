// Runs the `beacon` command (loaded by main.ts once module loading is safe): parses argv with the
// command tree of program.ts and sets the exit status.

import { CommanderError } from "commander";
import { EXIT, exitOnBrokenPipe } from "./output.js";
import { createProgram } from "./program.js";

exitOnBrokenPipe();

try {
  await createProgram().parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    throw e;
  }
}
