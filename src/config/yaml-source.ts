// The YAML configuration file: read, parsed, and able to say where in the file any setting sits, so
// errors point at a line:column. A key whose value is empty (`listen:`) counts as not set.

import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { ConfigError, type ConfigSource } from "./errors.js";

export interface YamlSource {
  /** As passed in (the caller resolves it). */
  readonly file: string;
  /** The top-level mapping as plain data, with null values removed. */
  readonly raw: Record<string, unknown>;
  /** True when the file gives a (non-empty) value at `path`. */
  has(path: readonly PropertyKey[]): boolean;
  /**
   * Where `path` is written: the value's position, or the key's with `at: "key"`. Falls back to the
   * deepest part of the path that exists.
   */
  locate(path: readonly PropertyKey[], at?: "key" | "value"): ConfigSource;
}

/** Reads and parses `file`; throws ConfigError naming the file for I/O errors, bad YAML or a non-mapping. */
export function readYamlSource(file: string, readFile: (path: string) => string): YamlSource {
  let text: string;
  try {
    text = readFile(file);
  } catch (e) {
    throw new ConfigError([{ setting: undefined, source: { kind: "file", file }, message: readFailure(e) }], {
      cause: e,
    });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): ConfigSource => {
    if (offset === undefined) return { kind: "file", file };
    const p = lines.linePos(offset);
    return { kind: "file", file, line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        setting: undefined,
        source: at(e.pos[0]),
        message: `invalid YAML: ${e.message}`,
      })),
    );
  }
  const contents = doc.contents;
  if (contents !== null && !isMap(contents)) {
    const found = isSeq(contents) ? "a list" : "a single value";
    throw new ConfigError([
      {
        setting: undefined,
        source: at(contents.range?.[0]),
        message: `expected a mapping of settings, found ${found}`,
      },
    ]);
  }
  const raw = toPlain(doc, at);
  return {
    file,
    raw,
    has: (path) => lookup(raw, path) !== undefined,
    locate: (path, want = "value") => at(findOffset(doc, path, want)),
  };
}

function readFailure(e: unknown): string {
  return `cannot read the file: ${describeReadError(e)}`;
}

/** Why a file could not be read, worded for an operator; shared with the agent's `X_file` secrets. */
export function describeReadError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT":
      return "it does not exist (ENOENT)";
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`;
    case "EISDIR":
      return "it is a directory (EISDIR)";
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

function toPlain(doc: Document, at: (offset: number | undefined) => ConfigSource): Record<string, unknown> {
  let cleaned: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    cleaned = dropNulls(doc.toJS({ maxAliasCount: 100 }));
  } catch (e) {
    const message = `invalid YAML: ${e instanceof Error ? e.message : String(e)}`;
    throw new ConfigError([{ setting: undefined, source: at(undefined), message }], { cause: e });
  }
  return isRecord(cleaned) ? cleaned : {};
}

/**
 * Copies plain data without nulls. `__proto__` stays an ordinary own key (so it is reported as an
 * unknown setting rather than swapping the object's prototype), and a self-referencing alias
 * (`a: &x [*x]`) is rejected instead of recursing forever.
 */
function dropNulls(v: unknown, ancestors: readonly unknown[] = []): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (ancestors.includes(v)) throw new TypeError("an alias refers to a node that contains it");
  const inner = [...ancestors, v];
  if (Array.isArray(v)) return v.map((item: unknown) => dropNulls(item, inner));
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) {
    if (child === null || child === undefined) continue;
    Object.defineProperty(out, k, {
      value: dropNulls(child, inner),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function lookup(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else if (isRecord(cur)) cur = Object.hasOwn(cur, String(seg)) ? cur[String(seg)] : undefined;
    else return undefined;
  }
  return cur;
}

function findOffset(doc: Document, path: readonly PropertyKey[], want: "key" | "value"): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return offset;
      const keyOffset = (pair.key as Node).range?.[0];
      const value = pair.value as Node | null;
      if ((last && want === "key") || value === null || (isScalar(value) && value.value === null))
        return keyOffset;
      node = value;
      offset = value.range?.[0] ?? keyOffset;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}
