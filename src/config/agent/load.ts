// The configuration pipeline of the agent commands: defaults → raw (YAML file, then BEACON_AGENT_*
// environment, then flags; later wins per setting) → validated (zod; each source, target and notifier
// by its type's own schema, after `X_file` secrets are read) → built AgentConfig. Reads nothing from
// the process: env, flags and cwd are passed in, the file reader is injectable.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { core } from "zod";
import type { SourceDefinition } from "../../agent/detect/types.js";
import type { NotifierDefinition } from "../../agent/notify/types.js";
import type { TargetDefinition } from "../../agent/targets/types.js";
import { ConfigError, formatPath, type ConfigIssue, type ConfigSource } from "../errors.js";
import type { FlagValues } from "../flags.js";
import { setAt, sortIssues } from "../load.js";
import type { Override } from "../override.js";
import { closest } from "../suggest.js";
import { isRecord, readYamlSource, type YamlSource } from "../yaml-source.js";
import type { AgentConfig, Configured } from "./agent-config.js";
import { agentConfigFileFromEnv, agentEnvOverrides, agentFlagOverrides } from "./overrides.js";
import { resolvePlugin, type PluginContext } from "./plugins.js";
import { buildRecords, type DefinedPlugin } from "./records.js";
import { firstNameserver } from "./resolv-conf.js";
import { rawAgentSchema, recordSchema } from "./schema.js";
import { AGENT_SETTINGS } from "./settings.js";

export interface AgentRegistries {
  readonly sources: ReadonlyMap<string, SourceDefinition<unknown>>;
  readonly targets: ReadonlyMap<string, TargetDefinition<unknown>>;
  readonly notifiers: ReadonlyMap<string, NotifierDefinition<unknown>>;
}

export interface LoadAgentConfigInput {
  /** From --config; else env BEACON_AGENT_CONFIG; else no file (defaults, no records). Relative to `cwd`. */
  readonly file?: string;
  readonly env: Record<string, string | undefined>;
  /** Keyed by dotted setting path, e.g. { "status.listen": "127.0.0.1:0", interval: "30s" }. */
  readonly flags: FlagValues;
  readonly cwd: string;
  /** Injected for tests; default node:fs readFileSync (utf8). Also reads `X_file` secrets and resolv.conf. */
  readonly readFile?: (path: string) => string;
  readonly warn?: (message: string) => void;
  /** Default /etc/resolv.conf; read only when no verify_resolver is set. */
  readonly resolvConf?: string;
}

/** Returns the built config or throws ConfigError listing every problem found. */
export function loadAgentConfigWith(input: LoadAgentConfigInput, registries: AgentRegistries): AgentConfig {
  const readFile = input.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  const fileName = nonEmpty(input.file) ?? agentConfigFileFromEnv(input.env);
  const yaml = fileName === undefined ? undefined : readYamlSource(resolve(input.cwd, fileName), readFile);

  const env = agentEnvOverrides(input.env, input.warn);
  const flags = agentFlagOverrides(input.flags);
  const raw: Record<string, unknown> = structuredClone(yaml?.raw ?? {});
  const applied = new Map<string, Override>();
  for (const o of [...env.overrides, ...flags.overrides]) {
    if (setAt(raw, o.setting.path, o.value)) applied.set(o.setting.key, o);
  }
  const locate = (path: readonly PropertyKey[], at: "key" | "value" = "value"): ConfigSource =>
    sourceOf(path, yaml, applied, at);

  const issues: ConfigIssue[] = [...env.issues, ...flags.issues];
  const parsed = rawAgentSchema.safeParse(raw);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) issues.push(...toConfigIssues(iss, locate));
  }

  const fileDir = yaml === undefined ? input.cwd : dirname(yaml.file);
  const pluginCtx: PluginContext = { readFile, resolvePath: (p) => resolve(fileDir, p), locate };
  const sources = new Map<string, Configured<SourceDefinition<unknown>>>();
  const targets = new Map<string, Configured<TargetDefinition<unknown>>>();
  const defined = { sources: new Map<string, DefinedPlugin>(), targets: new Map<string, DefinedPlugin>() };
  for (const [id, entry] of entriesOf(raw["sources"])) {
    const r = resolvePlugin("source", ["sources", id], id, entry, registries.sources, pluginCtx);
    if (!r.ok) issues.push(...r.issues);
    else {
      sources.set(id, r.value);
      defined.sources.set(id, { type: r.value.type, resolved: r.resolved });
    }
  }
  for (const [id, entry] of entriesOf(raw["targets"])) {
    const r = resolvePlugin("target", ["targets", id], id, entry, registries.targets, pluginCtx);
    if (!r.ok) issues.push(...r.issues);
    else {
      targets.set(id, r.value);
      defined.targets.set(id, { type: r.value.type, resolved: r.resolved });
    }
  }
  const notifiers: Configured<NotifierDefinition<unknown>>[] = [];
  const notify = Array.isArray(raw["notify"]) ? (raw["notify"] as unknown[]) : [];
  notify.forEach((entry, i) => {
    if (!isRecord(entry)) return; // reported by the top-level schema
    const type = typeof entry["type"] === "string" ? entry["type"] : "notifier";
    const id = typeof entry["id"] === "string" ? entry["id"] : `${type}-${i + 1}`;
    const r = resolvePlugin("notifier", ["notify", i], id, entry, registries.notifiers, pluginCtx, ["id"]);
    if (!r.ok) issues.push(...r.issues);
    else notifiers.push(r.value);
  });

  if (!parsed.success || issues.length > 0) throw new ConfigError(sortIssues(issues));
  const data = parsed.data;
  const built = buildRecords(data.records, { ...defined, locate });
  if (built.issues.length > 0) throw new ConfigError(sortIssues(built.issues));

  const stateFileFromFile = !applied.has("state_file") && yaml?.has(["state_file"]) === true;
  const config: AgentConfig = {
    intervalMs: data.interval,
    verifyEvery: data.verify_every,
    verifyResolver: data.verify_resolver ?? systemResolver(readFile, input.resolvConf ?? "/etc/resolv.conf"),
    stateFile: resolve(stateFileFromFile ? fileDir : input.cwd, data.state_file),
    status: { listen: data.status.listen },
    log: { level: data.log.level },
    userAgent: data.user_agent,
    sources,
    targets,
    notifiers,
    records: built.records,
    source: yaml === undefined ? {} : { file: yaml.file },
  };
  return config;
}

function systemResolver(readFile: (path: string) => string, path: string) {
  try {
    return firstNameserver(readFile(path));
  } catch {
    return undefined;
  }
}

function entriesOf(v: unknown): [string, Record<string, unknown>][] {
  if (!isRecord(v)) return [];
  return Object.entries(v).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]));
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === "" ? undefined : s;
}

/** Keys allowed in the mapping at `path`, for "did you mean" on unknown keys. */
function keysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(rawAgentSchema.shape);
  if (path.length === 1 && path[0] === "status") return ["listen"];
  if (path.length === 1 && path[0] === "log") return ["level"];
  if (path[0] === "records" && path.length === 2) return Object.keys(recordSchema.shape);
  if (path[0] === "records" && path[2] === "bind") return ["interface", "address"];
  return [];
}

function toConfigIssues(
  iss: core.$ZodIssue,
  locate: (path: readonly PropertyKey[], at?: "key" | "value") => ConfigSource,
): ConfigIssue[] {
  if (iss.code === "unrecognized_keys") {
    return iss.keys.map((key) => {
      const path = [...iss.path, key];
      const near = closest(key, keysAt(iss.path));
      return {
        setting: formatPath(path),
        source: locate(path, "key"),
        message: near === undefined ? "unknown setting" : `unknown setting (did you mean "${near}"?)`,
      };
    });
  }
  return [{ setting: formatPath(iss.path), source: locate(iss.path), message: iss.message }];
}

function sourceOf(
  path: readonly PropertyKey[],
  yaml: YamlSource | undefined,
  applied: ReadonlyMap<string, Override>,
  at: "key" | "value",
): ConfigSource {
  const setting = AGENT_SETTINGS.find(
    (s) => s.path.length <= path.length && s.path.every((p, i) => p === path[i]),
  );
  const o = setting === undefined ? undefined : applied.get(setting.key);
  if (o !== undefined) return o.source;
  if (yaml !== undefined && (yaml.has(path) || path.length > 0)) return yaml.locate(path, at);
  return { kind: "default" };
}
