// Configuration errors. Each issue names the setting, where its value came from (file:line:col,
// environment variable or flag) and what would be right; ConfigError carries them all at once so an
// operator fixes every mistake in one pass.

import { BeaconError } from "../core/errors.js";

export type ConfigSource =
  | { readonly kind: "file"; readonly file: string; readonly line?: number; readonly column?: number }
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "flag"; readonly name: string }
  | { readonly kind: "default" };

export interface ConfigIssue {
  /** e.g. "http.listen[1]"; undefined when the problem is the file itself (unreadable, bad YAML). */
  readonly setting: string | undefined;
  readonly source: ConfigSource;
  readonly message: string;
}

export class ConfigError extends BeaconError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super("config_invalid", issues.map(formatIssue).join("\n"), {
      ...options,
      details: { issues: issues.map((i) => ({ setting: i.setting, source: i.source, message: i.message })) },
    });
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** `config error: http.listen[1] in /etc/beacon.yaml:12:5: "…" is not a valid host:port (port 0–65535)` */
export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.setting === undefined
      ? bareSource(issue.source)
      : `${issue.setting} ${describeSource(issue.source)}`;
  return `config error: ${where}: ${issue.message}`;
}

/** "in /etc/beacon.yaml:12:5", "from environment BEACON_X", "from flag --x", "(default)". */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case "file":
      return `in ${fileLocation(source)}`;
    case "env":
      return `from environment ${source.name}`;
    case "flag":
      return `from flag ${source.name}`;
    case "default":
      return "(default)";
  }
}

function bareSource(source: ConfigSource): string {
  switch (source.kind) {
    case "file":
      return fileLocation(source);
    case "env":
      return `environment ${source.name}`;
    case "flag":
      return `flag ${source.name}`;
    case "default":
      return "default";
  }
}

function fileLocation(source: { file: string; line?: number; column?: number }): string {
  if (source.line === undefined) return source.file;
  return source.column === undefined
    ? `${source.file}:${source.line}`
    : `${source.file}:${source.line}:${source.column}`;
}

/** Formats an issue path like a reader would write it: `http.listen[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}
