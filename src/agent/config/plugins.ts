// One source, target or notifier entry: its `type` looked up in the registry, `X_file` secrets read,
// then its settings validated by that type's own schema. Issues name the full setting path
// ("targets.home.url") and where it is written.

import { z } from "zod";
import type { ConfigIssue, ConfigSource } from "../../config/errors.js";
import { formatPath } from "../../config/errors.js";
import { closest } from "../../config/suggest.js";
import type { Configured } from "./agent-config.js";
import { redactSecret, resolveSecretFiles } from "./secrets.js";

export interface PluginDefinition {
  readonly type: string;
  readonly settings: z.ZodType;
}

export interface PluginContext {
  readonly readFile: (path: string) => string;
  readonly resolvePath: (path: string) => string;
  readonly locate: (path: readonly PropertyKey[], at?: "key" | "value") => ConfigSource;
}

export type PluginResult<D> =
  | { readonly ok: true; readonly value: Configured<D>; readonly resolved: Record<string, unknown> }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/**
 * `entry` is the raw mapping from the file (with `type`). Keys in `reserved` (e.g. a notifier's `id`)
 * belong to the agent, not to the type, and are removed before the type's schema sees the entry.
 */
export function resolvePlugin<D extends PluginDefinition>(
  what: string,
  at: readonly PropertyKey[],
  id: string,
  entry: Readonly<Record<string, unknown>>,
  registry: ReadonlyMap<string, D>,
  ctx: PluginContext,
  reserved: readonly string[] = [],
): PluginResult<D> {
  const type = entry["type"];
  const definition = typeof type === "string" ? registry.get(type) : undefined;
  if (typeof type !== "string" || definition === undefined) {
    const known = [...registry.keys()];
    const near = typeof type === "string" ? closest(type, known) : undefined;
    const hint = near === undefined ? `known ${what} types: ${known.join(", ")}` : `did you mean "${near}"?`;
    return {
      ok: false,
      issues: [
        {
          setting: formatPath([...at, "type"]),
          source: ctx.locate([...at, "type"]),
          message: `unknown ${what} type ${JSON.stringify(type)} (${hint})`,
        },
      ],
    };
  }
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (k !== "type" && !reserved.includes(k)) Object.defineProperty(rest, k, { value: v, enumerable: true });
  }
  const keys = shapeKeys(definition.settings);
  const secrets = resolveSecretFiles(rest, {
    at,
    knownKeys: keys,
    readFile: ctx.readFile,
    resolvePath: ctx.resolvePath,
    locate: ctx.locate,
    formatSetting: formatPath,
  });
  const issues: ConfigIssue[] = [...secrets.issues];
  const parsed = definition.settings.safeParse(secrets.settings);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) {
      if (iss.code === "unrecognized_keys") {
        for (const key of iss.keys) {
          const path = [...at, ...iss.path, key];
          const near = iss.path.length === 0 && keys !== undefined ? closest(key, keys) : undefined;
          issues.push({
            setting: formatPath(path),
            source: ctx.locate(path, "key"),
            message: near === undefined ? "unknown setting" : `unknown setting (did you mean "${near}"?)`,
          });
        }
        continue;
      }
      // A value read from `X_file` is reported at the `X_file` line; an unusable `X_file` already was.
      const first = iss.path[0];
      if (typeof first === "string" && secrets.failed.has(first)) continue;
      const fileKey = typeof first === "string" ? secrets.fromFile.get(first) : undefined;
      const located = fileKey === undefined ? iss.path : [fileKey, ...iss.path.slice(1)];
      issues.push({
        setting: formatPath([...at, ...located]),
        source: ctx.locate([...at, ...located]),
        message:
          fileKey === undefined
            ? iss.message
            : `${redactSecret(iss.message, secrets.settings[String(first)])} (value read from ${fileKey})`,
      });
    }
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return {
    ok: true,
    value: { id, type, definition, settings: parsed.data },
    resolved: secrets.settings,
  };
}

/** Top-level keys of an object schema (looking through optional/default/pipe wrappers), if knowable. */
export function shapeKeys(schema: z.ZodType): ReadonlySet<string> | undefined {
  let s: unknown = schema;
  for (let depth = 0; depth < 8; depth++) {
    if (s instanceof z.ZodObject) return new Set(Object.keys(s.shape));
    if (s instanceof z.ZodPipe) s = s.def.in;
    else if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional)
      s = s.def.innerType;
    else return undefined;
  }
  return undefined;
}
