// The configuration pipeline of the agent commands: the shared layers (defaults → YAML file →
// BEACON_AGENT_* environment → flags, later wins per setting → validated by zod) over the agent's
// settings table; then each source, target and notifier by its type's own schema, after `X_file`
// secrets are read; then the built AgentConfig.

import { dirname, resolve } from "node:path";
import type { SourceDefinition } from "../detect/types.js";
import type { NotifierDefinition } from "../notify/types.js";
import type { TargetDefinition } from "../targets/types.js";
import { parseIp } from "../../core/ip.js";
import { ConfigError, type ConfigIssue, type ConfigSource } from "../../config/errors.js";
import type { HostPort } from "../../config/server-config.js";
import { sortIssues } from "../../config/issues.js";
import { readLayers, type LayerInput } from "../../config/layers.js";
import { isRecord } from "../../config/yaml-source.js";
import type { AgentConfig, Configured } from "./agent-config.js";
import { resolvePlugin, type PluginContext } from "./plugins.js";
import { buildRecords, type DefinedPlugin } from "./records.js";
import { listenScope, needsPassword, type ListenScope } from "./listen-scope.js";
import { firstNameserver } from "./resolv-conf.js";
import { rawAgentSchema, recordSchema } from "./schema.js";
import { AGENT_TABLE } from "./settings.js";

export interface AgentRegistries {
  readonly sources: ReadonlyMap<string, SourceDefinition<unknown>>;
  readonly targets: ReadonlyMap<string, TargetDefinition<unknown>>;
  readonly notifiers: ReadonlyMap<string, NotifierDefinition<unknown>>;
}

export interface LoadAgentConfigInput extends LayerInput {
  // `file`: from --config; else env BEACON_AGENT_CONFIG; else no file (defaults, no records).
  // `readFile` also reads `X_file` secrets and resolv.conf.
  /** Default /etc/resolv.conf; read only when no verify_resolver is set. */
  readonly resolvConf?: string;
}

/** Returns the built config or throws ConfigError listing every problem found. */
export function loadAgentConfigWith(input: LoadAgentConfigInput, registries: AgentRegistries): AgentConfig {
  const layers = readLayers(AGENT_TABLE, rawAgentSchema, keysAt, input);
  const { yaml, raw, readFile, locate, parsed } = layers;
  const issues: ConfigIssue[] = [...layers.issues];

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
  const listen = data.status.listen;
  const scope = listen === undefined ? undefined : listenScope(listen.host);
  const passwordHash = data.status.password_hash;
  const exposed = listenIssue(listen, scope, passwordHash, locate);
  if (built.issues.length > 0 || exposed !== undefined)
    throw new ConfigError(sortIssues([...built.issues, ...(exposed === undefined ? [] : [exposed])]));
  if (scope === "private" && passwordHash === undefined)
    input.warn?.(
      `status.listen ${listen?.host ?? ""} is a local-network address and status.password_hash is not set: ` +
        "the local page answers 403 until a password is set (beacon agent password)",
    );

  const config: AgentConfig = {
    intervalMs: data.interval,
    verifyEvery: data.verify_every,
    verifyResolver: data.verify_resolver ?? systemResolver(readFile, input.resolvConf ?? "/etc/resolv.conf"),
    stateFile: resolve(layers.fromFile("state_file") ? fileDir : input.cwd, data.state_file),
    status: { listen, scope, passwordHash },
    log: { level: data.log.level, format: data.log.format },
    userAgent: data.user_agent,
    sources,
    targets,
    notifiers,
    records: built.records,
    source: yaml === undefined ? {} : { file: yaml.file },
  };
  return config;
}

/** A wildcard or public listener without a password would hand the page (and the config) to anyone. */
function listenIssue(
  listen: HostPort | undefined,
  scope: ListenScope | undefined,
  passwordHash: string | undefined,
  locate: (path: readonly PropertyKey[]) => ConfigSource,
): ConfigIssue | undefined {
  if (listen === undefined || scope === undefined || !needsPassword(scope) || passwordHash !== undefined)
    return undefined;
  const what =
    scope === "wildcard"
      ? `${listen.host} listens on every interface, public ones included`
      : parseIp(listen.host) === undefined
        ? `${listen.host} is a host name that may resolve to a public address`
        : `${listen.host} is a public address`;
  return {
    setting: "status.listen",
    source: locate(["status", "listen"]),
    message: `${what}: refusing to serve the local page there without status.password_hash (create one with \`beacon agent password\`), or listen on 127.0.0.1`,
  };
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

/** Keys allowed in the mapping at `path`, for "did you mean" on unknown keys. */
function keysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(rawAgentSchema.shape);
  if (path.length === 1 && path[0] === "status") return ["listen", "password_hash"];
  if (path.length === 1 && path[0] === "log") return ["level", "format"];
  if (path[0] === "records" && path.length === 2) return Object.keys(recordSchema.shape);
  if (path[0] === "records" && path[2] === "bind") return ["interface", "address"];
  if (path[0] === "records" && path[2] === "heartbeat") return ["interval"];
  return [];
}
