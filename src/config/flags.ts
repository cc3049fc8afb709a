// Command-line values, keyed by the dotted setting path ("http.listen", "data_dir"). The CLI may
// register one option per setting of a table using `setting.flag` as its name, so messages match.

import type { ConfigIssue } from "./errors.js";
import { coerce, type Override, type Overrides } from "./override.js";
import { closest } from "./suggest.js";
import { flagName, type SettingsTable } from "./table.js";

export type FlagValues = Partial<Record<string, string | string[] | boolean | number>>;

/** Overrides from flags; an unknown key is an error (it is a bug in the caller or a typo). */
export function flagOverridesFor(table: SettingsTable, flags: FlagValues): Overrides {
  const overrides: Override[] = [];
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const setting = table.byKey.get(key);
    if (setting === undefined) {
      const near = closest(
        key,
        table.settings.map((s) => s.key),
      );
      issues.push({
        setting: key,
        source: { kind: "flag", name: flagName(key.split(".")) },
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
