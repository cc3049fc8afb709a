// `X_file` for a setting X: the value is read from that file (trimmed), so secrets can live in
// mounted secret files (Docker/Kubernetes secrets, systemd credentials) instead of the YAML. Applies to
// the top-level settings of a source, target or notifier entry.

import type { ConfigIssue, ConfigSource } from "../../config/errors.js";
import { describeReadError } from "../../config/yaml-source.js";

export interface SecretFileContext {
  /** Path of the entry in the YAML, e.g. ["targets", "home"]. */
  readonly at: readonly PropertyKey[];
  /** Keys the type's own schema knows: `token_file` is left alone when the schema itself has it. */
  readonly knownKeys: ReadonlySet<string> | undefined;
  readonly readFile: (path: string) => string;
  /** Makes a path from the file absolute (relative to the YAML file's directory). */
  readonly resolvePath: (path: string) => string;
  readonly locate: (path: readonly PropertyKey[], at?: "key" | "value") => ConfigSource;
  readonly formatSetting: (path: readonly PropertyKey[]) => string;
}

export interface SecretFileResult {
  readonly settings: Record<string, unknown>;
  /** Setting name (e.g. "password") → the `_file` key it came from, to point errors at the right line. */
  readonly fromFile: ReadonlyMap<string, string>;
  readonly issues: readonly ConfigIssue[];
  /** Settings whose `_file` could not be used (their absence is already reported). */
  readonly failed: ReadonlySet<string>;
}

/** Never throws: unreadable or empty files and "X and X_file together" become issues. */
export function resolveSecretFiles(
  settings: Readonly<Record<string, unknown>>,
  ctx: SecretFileContext,
): SecretFileResult {
  const out: Record<string, unknown> = {};
  const fromFile = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const failed = new Set<string>();
  const issue = (key: string, message: string, at: "key" | "value" = "value") => {
    failed.add(key.slice(0, -5));
    issues.push({
      setting: ctx.formatSetting([...ctx.at, key]),
      source: ctx.locate([...ctx.at, key], at),
      message,
    });
  };
  for (const [key, value] of Object.entries(settings)) {
    const isFileKey = key.endsWith("_file") && key.length > 5 && ctx.knownKeys?.has(key) !== true;
    if (!isFileKey) {
      if (!Object.hasOwn(out, key)) defineOwn(out, key, value);
      continue;
    }
    const base = key.slice(0, -5);
    if (Object.hasOwn(settings, base)) {
      issue(key, `set either ${base} or ${key}, not both`, "key");
      continue;
    }
    if (typeof value !== "string" || value.trim() === "") {
      issue(key, "expected the path of a file holding the secret");
      continue;
    }
    const file = ctx.resolvePath(value);
    let text: string;
    try {
      text = ctx.readFile(file);
    } catch (e) {
      issue(key, `cannot read ${file}: ${describeReadError(e)}`);
      continue;
    }
    const secret = text.trim();
    if (secret === "") {
      issue(key, `${file} is empty`);
      continue;
    }
    defineOwn(out, base, secret);
    fromFile.set(base, key);
  }
  return { settings: out, fromFile, issues, failed };
}

function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A validation message about a value read from a file, with that value taken out: schemas quote bad
 * input (`"…" is not a URL`), and the file may be anything the agent can read (`url_file: /etc/shadow`),
 * while messages end up in logs and on the local page. Quoted strings and every word of the value
 * (4+ characters) are replaced by "…"; over-redacting a word of the message is the safe side.
 */
export function redactSecret(message: string, value: unknown): string {
  let out = message.replace(/"(?:[^"\\]|\\.)*"?/g, '"…"');
  if (typeof value !== "string") return out;
  const words = value.split(/[\s"'`:,;=]+/).filter((w) => w.length >= 4);
  for (const w of words.sort((a, b) => b.length - a.length)) out = out.replaceAll(w, "…");
  return out;
}
