// The server's settings table: every leaf setting of the schema with its derived names
// (`a.b_c` ↔ env `BEACON_A_B_C` ↔ flag `--a-b-c`).

import { z } from "zod";
import { rawConfigSchema, settingRegistry } from "./schema.js";
import {
  envName,
  flagName,
  settingAt as settingAtIn,
  settingsTable,
  type Setting,
  type SettingsTable,
} from "./table.js";

/** Prefix of the agent's environment variables (agent/config/settings.ts derives each name). */
export const AGENT_ENV_PREFIX = "BEACON_AGENT_";

export type { Setting } from "./table.js";

export const ENV_PREFIX = "BEACON_";
/** Names the YAML file; not a setting itself. */
export const CONFIG_FILE_ENV = "BEACON_CONFIG";

function collect(schema: z.ZodType, path: readonly string[], out: Setting[]): void {
  const meta = settingRegistry.get(schema);
  if (meta !== undefined) {
    out.push({
      path,
      key: path.join("."),
      env: envName(ENV_PREFIX, path),
      flag: flagName(path),
      kind: meta.kind,
      help: meta.help,
      defaultText: meta.defaultText ?? "",
    });
    return;
  }
  const inner = schema instanceof z.ZodPrefault ? (schema.def.innerType as z.ZodType) : schema;
  if (!(inner instanceof z.ZodObject))
    throw new Error(`config schema: ${path.join(".")} is neither a section nor a leaf`);
  const shape: Record<string, z.ZodType> = inner.shape;
  for (const [key, child] of Object.entries(shape)) {
    collect(child, [...path, key], out);
  }
}

function deriveSettings(): readonly Setting[] {
  const out: Setting[] = [];
  collect(rawConfigSchema, [], out);
  return out;
}

export const SERVER_TABLE: SettingsTable = settingsTable({
  settings: deriveSettings(),
  envPrefix: ENV_PREFIX,
  configFileEnv: CONFIG_FILE_ENV,
  what: "Beacon",
  emptyMeansEmpty: new Set(),
  otherVariables: {
    names: [
      // Set by the agent for `exec` notifiers and `command` sources (docs/agent/notifications.md,
      // docs/agent/sources.md), so a hook may run admin commands without a warning.
      ...[
        "EVENT",
        "FQDN",
        "TYPE",
        "OLD",
        "NEW",
        "STATUS",
        "DETAIL",
        "TARGET",
        "AT",
        "FAMILY",
        "LOCAL_ADDRESS",
      ],
      // Read by the test suite (README.md, docs/agent/ui.md).
      ...["REQUIRE_PEERS", "SCREENSHOTS", "CHROMIUM"],
    ].map((n) => ENV_PREFIX + n),
    prefixes: [AGENT_ENV_PREFIX],
  },
});

/** In schema order. */
export const SETTINGS: readonly Setting[] = SERVER_TABLE.settings;

/** The leaf setting that `path` (an issue path, possibly into a list) lies in, if any. */
export function settingAt(path: readonly PropertyKey[]): Setting | undefined {
  return settingAtIn(SERVER_TABLE, path);
}

/** Keys allowed directly under the section at `path` ([] for the top level). */
export function childKeys(path: readonly PropertyKey[]): string[] {
  const prefix = path.map(String);
  const keys = new Set<string>();
  for (const s of SETTINGS) {
    if (s.path.length > prefix.length && prefix.every((p, i) => s.path[i] === p)) {
      const k = s.path[prefix.length];
      if (k !== undefined) keys.add(k);
    }
  }
  return [...keys];
}
