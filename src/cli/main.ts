#!/usr/bin/env node
// The `beacon` command's entry: loads the program (run.ts) and nothing else first. Node reads the
// ES modules of a graph all at once, one open file each — several hundred for `beacon serve` — so
// under a low open-file limit (ulimit -n 256, a container's nofile, LimitNOFILE=) the start would
// fail with EMFILE or a misleading "Cannot find package". Below SERIAL_LOAD_BELOW the modules are
// read one at a time instead (serial-load.ts; its flag is passed on to forked DNS workers), and a
// start that still runs out of descriptors ends with one line and exit status 71, never a stack.
// Below SERIAL_LOAD_MIN not even the loader's own thread can start (Node hangs), so it is not tried.

import { register } from "node:module";
import { openFileLimit } from "./open-files.js";
import { processIo, reportError } from "./output.js";

/** `beacon serve` opens about 400 files at once while loading; below this, load one at a time. */
const SERIAL_LOAD_BELOW = 1024;
const SERIAL_LOAD_MIN = 32;

const limit = openFileLimit();
if (limit !== undefined && limit >= SERIAL_LOAD_MIN && limit < SERIAL_LOAD_BELOW) {
  const hooks = new URL("./serial-load.js", import.meta.url).href;
  register(hooks);
  // Forked processes (DNS workers) start with these flags: they register the same hook first.
  const registerHooks = `import { register } from "node:module"; register(${JSON.stringify(hooks)});`;
  process.execArgv.push("--import", `data:text/javascript,${encodeURIComponent(registerHooks)}`);
}

try {
  await import("./run.js");
} catch (e) {
  process.exitCode = reportError(processIo, e);
}
