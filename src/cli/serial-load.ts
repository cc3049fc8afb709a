// Module loading one file at a time, for a low open-file limit: main.ts registers this hook (in
// Node's loader thread) when the limit is below SERIAL_LOAD_BELOW. Node's own loader reads every ES
// module of a graph at once, one open file each; this hook reads each synchronously, so loading holds
// at most one. Starting is somewhat slower; nothing else changes. CommonJS modules are read
// synchronously by Node already and are left to it.

import { readFileSync } from "node:fs";
import type { LoadHook } from "node:module";
import { fileURLToPath } from "node:url";

export const load: LoadHook = (url, context, nextLoad) =>
  context.format === "module" && url.startsWith("file:")
    ? { format: "module", source: readFileSync(fileURLToPath(url)), shortCircuit: true }
    : nextLoad(url, context);
