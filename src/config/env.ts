// `BEACON_*` environment variables. Unknown names are ignored (other tools and the agent share the
// prefix) except that a near miss of a setting's name is reported as a warning.

import type { ConfigIssue } from "./errors.js";
import { coerce, type Override, type Overrides } from "./override.js";
import { CONFIG_FILE_ENV, ENV_PREFIX, SETTINGS, settingByEnv } from "./settings.js";
import { closest } from "./suggest.js";

/**
 * Overrides from `env`. An empty variable leaves a scalar setting unset and makes a list setting the
 * empty list (so `BEACON_HTTP_TRUSTED_PROXIES=` clears the file's list).
 */
export function envOverrides(
  env: Record<string, string | undefined>,
  warn?: (message: string) => void,
): Overrides {
  const overrides: Override[] = [];
  const issues: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || name === CONFIG_FILE_ENV) continue;
    const setting = settingByEnv(name);
    if (setting === undefined) {
      const near = closest(name, [...SETTINGS.map((s) => s.env), CONFIG_FILE_ENV]);
      if (near !== undefined)
        warn?.(`environment variable ${name} is not a Beacon setting; did you mean ${near}?`);
      continue;
    }
    if (value.trim() === "" && setting.kind !== "list") continue;
    const source = { kind: "env", name } as const;
    const c = coerce(setting, value);
    if (c.ok) overrides.push({ setting, value: c.value, source });
    else issues.push({ setting: setting.key, source, message: c.error });
  }
  return { overrides, issues };
}

/** The YAML file named by BEACON_CONFIG, if set and non-empty. */
export function configFileFromEnv(env: Record<string, string | undefined>): string | undefined {
  const v = env[CONFIG_FILE_ENV];
  return v === undefined || v.trim() === "" ? undefined : v;
}
