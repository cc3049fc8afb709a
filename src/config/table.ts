// A settings table: the settings that the environment and flags may set, and how their names are
// derived. The server's table is derived from its schema, the agent's is hand-listed; the env, flag
// and layering code is written once against this contract.
// Names are derived, never hand-written: `a.b_c` ↔ env `<prefix>A_B_C` ↔ flag `--a-b-c`.

import type { SettingKind } from "./schema.js";

export interface Setting {
  /** Path in the YAML file, e.g. ["http", "listen"]. */
  readonly path: readonly string[];
  /** Dotted form, e.g. "http.listen" (the key of `flags`). */
  readonly key: string;
  readonly env: string;
  readonly flag: string;
  readonly kind: SettingKind;
  readonly help: string;
  /** The default in the form one would write it in the environment; "" for an empty list. */
  readonly defaultText: string;
}

export interface SettingsTable {
  /** In display order; leaves only (no setting's path is a prefix of another's). */
  readonly settings: readonly Setting[];
  readonly byKey: ReadonlyMap<string, Setting>;
  readonly byEnv: ReadonlyMap<string, Setting>;
  /** Every setting's variable starts with this, e.g. "BEACON_". */
  readonly envPrefix: string;
  /** Names the YAML file; under `envPrefix` but not a setting. */
  readonly configFileEnv: string;
  /** Names the program in messages: "… is not a Beacon agent setting". */
  readonly what: "Beacon" | "Beacon agent";
  /** Keys where an empty variable means the empty value rather than "unset". Lists always do. */
  readonly emptyMeansEmpty: ReadonlySet<string>;
  /**
   * Names under `envPrefix` that belong to something else (the agent's `BEACON_AGENT_*` under the
   * server's `BEACON_`, variables the agent sets for hooks, the test runner's): never warned about.
   * Every other name under the prefix that is not a setting is a warning, with the closest setting.
   */
  readonly otherVariables: { readonly names: readonly string[]; readonly prefixes: readonly string[] };
}

/** Indexes `spec`. Throws when two settings map to one env name (`a.b_c` and `a_b.c`). */
export function settingsTable(spec: Omit<SettingsTable, "byKey" | "byEnv">): SettingsTable {
  const seen = new Set<string>([spec.configFileEnv]);
  for (const s of spec.settings) {
    if (seen.has(s.env)) throw new Error(`config schema: ${s.key} maps to ${s.env}, which is already taken`);
    seen.add(s.env);
  }
  return {
    ...spec,
    byKey: new Map(spec.settings.map((s) => [s.key, s])),
    byEnv: new Map(spec.settings.map((s) => [s.env, s])),
  };
}

export function envName(prefix: string, path: readonly string[]): string {
  return prefix + path.join("_").toUpperCase();
}

export function flagName(path: readonly string[]): string {
  return `--${path.join("-").replaceAll("_", "-")}`;
}

/** The leaf setting of `table` that `path` (an issue path, possibly into a list) lies in, if any. */
export function settingAt(table: SettingsTable, path: readonly PropertyKey[]): Setting | undefined {
  for (let n = path.length; n > 0; n--) {
    const s = table.byKey.get(path.slice(0, n).map(String).join("."));
    if (s !== undefined && s.path.length === n) return s;
  }
  return undefined;
}
