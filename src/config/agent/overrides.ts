// BEACON_AGENT_* environment variables and command-line values for the agent's top-level settings.

import type { ConfigIssue } from "../errors.js";
import { coerce, type Override, type Overrides } from "../override.js";
import { closest } from "../suggest.js";
import type { FlagValues } from "../flags.js";
import {
  AGENT_CONFIG_FILE_ENV,
  AGENT_ENV_PREFIX,
  AGENT_SETTINGS,
  agentSettingByEnv,
  agentSettingByKey,
} from "./settings.js";

/** Settings where an empty value means something ("" disables the status port) rather than "unset". */
const EMPTY_MEANS_EMPTY = new Set(["status.listen"]);

/** Unknown BEACON_AGENT_* names are ignored, with a warning when they look like a typo. */
export function agentEnvOverrides(
  env: Record<string, string | undefined>,
  warn?: (message: string) => void,
): Overrides {
  const overrides: Override[] = [];
  const issues: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(AGENT_ENV_PREFIX) || value === undefined || name === AGENT_CONFIG_FILE_ENV) continue;
    const setting = agentSettingByEnv(name);
    if (setting === undefined) {
      const near = closest(name, [...AGENT_SETTINGS.map((s) => s.env), AGENT_CONFIG_FILE_ENV]);
      warn?.(
        `environment variable ${name} is not a Beacon agent setting${near === undefined ? "" : `; did you mean ${near}?`}`,
      );
      continue;
    }
    if (value.trim() === "" && !EMPTY_MEANS_EMPTY.has(setting.key)) continue;
    const source = { kind: "env", name } as const;
    const c = coerce(setting, value);
    if (c.ok) overrides.push({ setting, value: c.value, source });
    else issues.push({ setting: setting.key, source, message: c.error });
  }
  return { overrides, issues };
}

/** An unknown key is an error (a bug in the caller or a typo). */
export function agentFlagOverrides(flags: FlagValues): Overrides {
  const overrides: Override[] = [];
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const setting = agentSettingByKey(key);
    if (setting === undefined) {
      const near = closest(
        key,
        AGENT_SETTINGS.map((s) => s.key),
      );
      issues.push({
        setting: key,
        source: { kind: "flag", name: `--${key.replaceAll(/[._]/g, "-")}` },
        message: near === undefined ? "unknown setting" : `unknown setting (did you mean "${near}"?)`,
      });
      continue;
    }
    const source = { kind: "flag", name: setting.flag } as const;
    const c = coerce(setting, value);
    if (c.ok) overrides.push({ setting, value: c.value, source });
    else issues.push({ setting: setting.key, source, message: c.error });
  }
  return { overrides, issues };
}

/** The YAML file named by BEACON_AGENT_CONFIG, if set and non-empty. */
export function agentConfigFileFromEnv(env: Record<string, string | undefined>): string | undefined {
  const v = env[AGENT_CONFIG_FILE_ENV];
  return v === undefined || v.trim() === "" ? undefined : v;
}
