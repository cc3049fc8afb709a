// The configuration pipeline of `beacon serve`: defaults → raw (YAML file, then BEACON_* environment,
// then flags; later wins per setting) → validated (zod) → built ServerConfig. Reads nothing from the
// process: env, flags and cwd are passed in, the file reader is injectable.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { core } from "zod";
import { buildServerConfig } from "./build.js";
import { configFileFromEnv, envOverrides } from "./env.js";
import { ConfigError, formatPath, type ConfigIssue, type ConfigSource } from "./errors.js";
import { flagOverrides, type FlagValues } from "./flags.js";
import type { Override } from "./override.js";
import { rawConfigSchema } from "./schema.js";
import type { ServerConfig } from "./server-config.js";
import { childKeys, settingAt } from "./settings.js";
import { closest } from "./suggest.js";
import { isRecord, readYamlSource, type YamlSource } from "./yaml-source.js";

export interface LoadServerConfigInput {
  /** From --config; else env BEACON_CONFIG; else no file (defaults). Relative to `cwd`. */
  readonly file?: string;
  readonly env: Record<string, string | undefined>;
  /** Keyed by dotted setting path, e.g. { "http.listen": ["127.0.0.1:0"], "data_dir": "/tmp/x" }. */
  readonly flags: FlagValues;
  readonly cwd: string;
  /** Injected for tests; default node:fs readFileSync (utf8). */
  readonly readFile?: (path: string) => string;
  /** Receives non-fatal notes (e.g. a BEACON_* variable that looks like a typo). */
  readonly warn?: (message: string) => void;
}

/** Returns the built config or throws ConfigError listing every problem found. */
export function loadServerConfig(input: LoadServerConfigInput): ServerConfig {
  const readFile = input.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  const fileName = nonEmpty(input.file) ?? configFileFromEnv(input.env);
  const yaml = fileName === undefined ? undefined : readYamlSource(resolve(input.cwd, fileName), readFile);

  const env = envOverrides(input.env, input.warn);
  const flags = flagOverrides(input.flags);
  const raw: Record<string, unknown> = structuredClone(yaml?.raw ?? {});
  const applied = new Map<string, Override>();
  for (const o of [...env.overrides, ...flags.overrides]) {
    if (setAt(raw, o.setting.path, o.value)) applied.set(o.setting.key, o);
  }

  const issues: ConfigIssue[] = [...env.issues, ...flags.issues];
  const parsed = rawConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) issues.push(...toConfigIssues(iss, yaml, applied));
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(sortIssues(issues));

  const resolvePath = (key: string, value: string): string => {
    if (!applied.has(key) && yaml?.has(key.split("."))) return resolve(dirname(yaml.file), value);
    return resolve(input.cwd, value);
  };
  return buildServerConfig(parsed.data, resolvePath, yaml?.file);
}

/** File issues first in file order (the layer read first), then environment, then flags. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const rank = (i: ConfigIssue) => ({ file: 0, default: 0, env: 1, flag: 2 })[i.source.kind];
  const pos = (i: ConfigIssue) =>
    i.source.kind === "file" ? (i.source.line ?? 0) * 1e6 + (i.source.column ?? 0) : 0;
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || pos(a.issue) - pos(b.issue) || a.n - b.n)
    .map((x) => x.issue);
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === "" ? undefined : s;
}

/**
 * Sets a leaf, creating sections as needed. Returns false (and changes nothing) when the file put a
 * non-mapping where a section belongs: that error is the file's and must not be hidden.
 */
export function setAt(raw: Record<string, unknown>, path: readonly string[], value: unknown): boolean {
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

function toConfigIssues(
  iss: core.$ZodIssue,
  yaml: YamlSource | undefined,
  applied: ReadonlyMap<string, Override>,
): ConfigIssue[] {
  if (iss.code === "unrecognized_keys") {
    // Only the file can carry unknown keys: env and flags are looked up by setting first.
    return iss.keys.map((key) => {
      const path = [...iss.path, key];
      const near = closest(key, childKeys(iss.path));
      return {
        setting: formatPath(path),
        source: yaml?.locate(path, "key") ?? { kind: "default" },
        message: near === undefined ? "unknown setting" : `unknown setting (did you mean "${near}"?)`,
      };
    });
  }
  return [{ setting: formatPath(iss.path), source: sourceOf(iss.path, yaml, applied), message: iss.message }];
}

function sourceOf(
  path: readonly PropertyKey[],
  yaml: YamlSource | undefined,
  applied: ReadonlyMap<string, Override>,
): ConfigSource {
  const setting = settingAt(path);
  const o = setting === undefined ? undefined : applied.get(setting.key);
  if (o !== undefined) return o.source;
  if (yaml?.has(path)) return yaml.locate(path);
  return { kind: "default" };
}
