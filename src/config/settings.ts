// Every leaf setting of the schema with its derived names. Names are derived, never hand-listed:
// `a.b_c` ↔ env `BEACON_A_B_C` ↔ flag `--a-b-c`.

import { z } from "zod";
import { rawConfigSchema, settingRegistry, type SettingKind } from "./schema.js";

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

export const ENV_PREFIX = "BEACON_";
/** Names the YAML file; not a setting itself. */
export const CONFIG_FILE_ENV = "BEACON_CONFIG";

export function envName(path: readonly string[]): string {
  return ENV_PREFIX + path.join("_").toUpperCase();
}

export function flagName(path: readonly string[]): string {
  return `--${path.join("-").replaceAll("_", "-")}`;
}

function collect(schema: z.ZodType, path: readonly string[], out: Setting[]): void {
  const meta = settingRegistry.get(schema);
  if (meta !== undefined) {
    out.push({
      path,
      key: path.join("."),
      env: envName(path),
      flag: flagName(path),
      kind: meta.kind,
      help: meta.help,
      defaultText: meta.defaultText ?? defaultText(schema),
    });
    return;
  }
  const inner = schema instanceof z.ZodPrefault ? (schema.def.innerType as z.ZodType) : schema;
  if (!(inner instanceof z.ZodObject))
    throw new Error(`config schema: ${path.join(".")} is neither a section nor a leaf`);
  const shape: Record<string, z.ZodType> = inner.shape;
  for (const [key, child] of Object.entries(shape)) {
    collect(child, [...path, key], out);
  }
}

function defaultText(schema: z.ZodType): string {
  if (!(schema instanceof z.ZodPrefault)) return "";
  const v: unknown = schema.def.defaultValue;
  if (Array.isArray(v)) return v.map(String).join(",");
  return String(v);
}

function deriveSettings(): readonly Setting[] {
  const out: Setting[] = [];
  collect(rawConfigSchema, [], out);
  // Two paths may map to one env name (`a.b_c` and `a_b.c`); refuse such a schema at load.
  const seen = new Set<string>([CONFIG_FILE_ENV]);
  for (const s of out) {
    if (seen.has(s.env)) throw new Error(`config schema: ${s.key} maps to ${s.env}, which is already taken`);
    seen.add(s.env);
  }
  return out;
}

/** In schema order. */
export const SETTINGS: readonly Setting[] = deriveSettings();

const byKey = new Map(SETTINGS.map((s) => [s.key, s]));
const byEnv = new Map(SETTINGS.map((s) => [s.env, s]));

export function settingByKey(key: string): Setting | undefined {
  return byKey.get(key);
}

export function settingByEnv(name: string): Setting | undefined {
  return byEnv.get(name);
}

/** The leaf setting that `path` (an issue path, possibly into a list) lies in, if any. */
export function settingAt(path: readonly PropertyKey[]): Setting | undefined {
  for (let n = path.length; n > 0; n--) {
    const s = byKey.get(path.slice(0, n).map(String).join("."));
    if (s !== undefined && s.path.length === n) return s;
  }
  return undefined;
}

/** Keys allowed directly under the section at `path` ([] for the top level). */
export function childKeys(path: readonly PropertyKey[]): string[] {
  const prefix = path.map(String);
  const keys = new Set<string>();
  for (const s of SETTINGS) {
    if (s.path.length > prefix.length && prefix.every((p, i) => s.path[i] === p)) {
      const k = s.path[prefix.length];
      if (k !== undefined) keys.add(k);
    }
  }
  return [...keys];
}
