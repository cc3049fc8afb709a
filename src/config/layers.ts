// The layers every configuration is read from: defaults (the schema's) → YAML file → environment →
// flags, later winning per setting, then validated by the schema. Written once against a
// SettingsTable for `beacon serve` and the agent commands. Reads nothing from the process: env,
// flags and cwd are passed in, the file reader is injectable.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { z } from "zod";
import type { ConfigIssue } from "./errors.js";
import { configFileFor, envOverridesFor } from "./env.js";
import { flagOverridesFor, type FlagValues } from "./flags.js";
import { schemaIssues, type Locate } from "./issues.js";
import type { Override } from "./override.js";
import { settingAt, type SettingsTable } from "./table.js";
import { isRecord, readYamlSource, type YamlSource } from "./yaml-source.js";

export interface LayerInput {
  /** From --config; else env `table.configFileEnv`; else no file (defaults). Relative to `cwd`. */
  readonly file?: string;
  readonly env: Record<string, string | undefined>;
  /** Keyed by dotted setting path, e.g. { "http.listen": ["127.0.0.1:0"], "data_dir": "/tmp/x" }. */
  readonly flags: FlagValues;
  readonly cwd: string;
  /** Injected for tests; default node:fs readFileSync (utf8). */
  readonly readFile?: (path: string) => string;
  /** Receives non-fatal notes (e.g. a variable under the table's prefix that looks like a typo). */
  readonly warn?: (message: string) => void;
}

export interface Layers<T> {
  readonly yaml: YamlSource | undefined;
  /** `input.readFile` or its default. */
  readonly readFile: (path: string) => string;
  /** The file's mapping with env and flag values applied (a copy). Not validated. */
  readonly raw: Record<string, unknown>;
  /**
   * The env variable or flag that set the setting `path` lies in; else where the file writes `path`
   * (or, inside the file, its deepest written ancestor); else the default.
   */
  readonly locate: Locate;
  /** True when setting `key` has the file's value: written there, not overridden. */
  fromFile(key: string): boolean;
  /** Env and flag issues, then the schema's; unsorted (see sortIssues). Empty iff all is well so far. */
  readonly issues: readonly ConfigIssue[];
  readonly parsed: z.ZodSafeParseResult<T>;
}

/**
 * Reads the file (throws ConfigError if it cannot be read or parsed), applies env and flags, and
 * validates with `schema`. Never throws for invalid values: they are in `issues`. `keysAt(section)`
 * lists the keys allowed in a section, for "did you mean" on unknown keys.
 */
export function readLayers<T>(
  table: SettingsTable,
  schema: z.ZodType<T>,
  keysAt: (path: readonly PropertyKey[]) => readonly string[],
  input: LayerInput,
): Layers<T> {
  const readFile = input.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  const fileName = nonEmpty(input.file) ?? configFileFor(table, input.env);
  const yaml = fileName === undefined ? undefined : readYamlSource(resolve(input.cwd, fileName), readFile);

  const env = envOverridesFor(table, input.env, input.warn);
  const flags = flagOverridesFor(table, input.flags);
  const raw: Record<string, unknown> = structuredClone(yaml?.raw ?? {});
  const applied = new Map<string, Override>();
  for (const o of [...env.overrides, ...flags.overrides]) {
    if (setAt(raw, o.setting.path, o.value)) applied.set(o.setting.key, o);
  }
  const locate: Locate = (path, at = "value") => {
    const setting = settingAt(table, path);
    const o = setting === undefined ? undefined : applied.get(setting.key);
    if (o !== undefined) return o.source;
    if (yaml !== undefined && (yaml.has(path) || path.length > 0)) return yaml.locate(path, at);
    return { kind: "default" };
  };

  const issues: ConfigIssue[] = [...env.issues, ...flags.issues];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) issues.push(...schemaIssues(iss, keysAt, locate));
  }
  return {
    yaml,
    readFile,
    raw,
    locate,
    fromFile: (key) => !applied.has(key) && yaml?.has(key.split(".")) === true,
    issues,
    parsed,
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === "" ? undefined : s;
}

/**
 * Sets a leaf, creating sections as needed. Returns false (and changes nothing) when the file put a
 * non-mapping where a section belongs: that error is the file's and must not be hidden.
 */
function setAt(raw: Record<string, unknown>, path: readonly string[], value: unknown): boolean {
  let cur = raw;
  for (const seg of path.slice(0, -1)) {
    const next = cur[seg];
    if (next === undefined) cur[seg] = {};
    else if (!isRecord(next)) return false;
    cur = cur[seg] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last === undefined) return false;
  cur[last] = value;
  return true;
}
