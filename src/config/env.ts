// Environment variables under a table's prefix. Unknown names are ignored with a warning naming the
// closest setting, unless the table knows them as another program's (table.otherVariables).

import type { ConfigIssue } from "./errors.js";
import { coerce, type Override, type Overrides } from "./override.js";
import { SERVER_TABLE } from "./settings.js";
import { closest } from "./suggest.js";
import type { SettingsTable } from "./table.js";

/**
 * Overrides from `env`. An empty variable leaves a setting unset, except that it makes a list the
 * empty list (so `BEACON_HTTP_TRUSTED_PROXIES=` clears the file's list) and sets the table's
 * `emptyMeansEmpty` settings to "" (so `BEACON_AGENT_STATUS_LISTEN=` disables the status port).
 */
export function envOverridesFor(
  table: SettingsTable,
  env: Record<string, string | undefined>,
  warn?: (message: string) => void,
): Overrides {
  const overrides: Override[] = [];
  const issues: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(table.envPrefix) || value === undefined || name === table.configFileEnv) continue;
    const setting = table.byEnv.get(name);
    if (setting === undefined) {
      if (!isOtherVariable(table, name)) warn?.(unknownVariable(table, name));
      continue;
    }
    if (value.trim() === "" && setting.kind !== "list" && !table.emptyMeansEmpty.has(setting.key)) continue;
    const source = { kind: "env", name } as const;
    const c = coerce(setting, value);
    if (c.ok) overrides.push({ setting, value: c.value, source });
    else issues.push({ setting: setting.key, source, message: c.error });
  }
  return { overrides, issues };
}

function isOtherVariable(table: SettingsTable, name: string): boolean {
  const { names, prefixes } = table.otherVariables;
  return names.includes(name) || prefixes.some((p) => name.startsWith(p));
}

function unknownVariable(table: SettingsTable, name: string): string {
  const near = closest(name, [...table.settings.map((s) => s.env), table.configFileEnv]);
  return `environment variable ${name} is not a ${table.what} setting${near === undefined ? "" : `; did you mean ${near}?`}`;
}

/** The YAML file named by `table.configFileEnv`, if set and non-empty. */
export function configFileFor(
  table: SettingsTable,
  env: Record<string, string | undefined>,
): string | undefined {
  const v = env[table.configFileEnv];
  return v === undefined || v.trim() === "" ? undefined : v;
}

/** `BEACON_*` overrides of the server's settings. */
export function envOverrides(
  env: Record<string, string | undefined>,
  warn?: (message: string) => void,
): Overrides {
  return envOverridesFor(SERVER_TABLE, env, warn);
}

/** The server's YAML file named by BEACON_CONFIG, if set and non-empty. */
export function configFileFromEnv(env: Record<string, string | undefined>): string | undefined {
  return configFileFor(SERVER_TABLE, env);
}
