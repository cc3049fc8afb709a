// A mirror's settings as the user gives them on the command line: `--settings-file FILE.yaml` (a
// mapping) and `--set key=value` (repeatable, wins over the file). A --set value starting with { or
// [ is JSON (headers={"Authorization": "Bearer {{secret}}"}); any other is a YAML scalar, so
// port=5353 is a number and proxied=true a boolean. When the provider's schema refuses such a value
// and would take the text as written (a token made of digits, a JSON-looking body template), the
// text is used. `X_file` paths are made absolute (relative to the settings file, or to the working
// directory for --set), because the server that reads them runs elsewhere.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { parse, parseDocument } from "yaml";

import { BeaconError } from "../core/errors.js";
import { checkMirrorSettings, describeIssues, type SettingIssue } from "./mirror-provider.js";

export interface SettingsInput {
  readonly sets: readonly string[];
  readonly file: string | undefined;
  readonly cwd: string;
  /** Reads `X_file` secrets; default node:fs. */
  readonly readFile?: (path: string) => string;
}

/** A YAML scalar (number, boolean, string); anything else, or unparsable text, stays the text. */
export function scalarOf(text: string): unknown {
  try {
    const v: unknown = parse(text);
    return typeof v === "number" || typeof v === "boolean" || typeof v === "string" ? v : text;
  } catch {
    return text;
  }
}

/** What a --set value means: JSON when it starts with { or [ and parses, else scalarOf. */
export function valueOf(text: string): unknown {
  if (!looksLikeJson(text)) return scalarOf(text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

/**
 * Where `text` stops being JSON when it looks like JSON and is not (" at character 26"; "" when the
 * parser says no position); else undefined. Only the position is kept: some of the parser's
 * messages quote the text, which may hold a secret.
 */
function jsonError(text: string | undefined): string | undefined {
  if (text === undefined || !looksLikeJson(text)) return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : "")?.[1];
    return at === undefined ? "" : ` at character ${Number(at) + 1}`;
  }
}

/** Sets an own property even for keys like "__proto__" (plain assignment would change the prototype). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function absolutiseFiles(settings: Record<string, unknown>, base: string): void {
  for (const [k, v] of Object.entries(settings)) {
    if (k.endsWith("_file") && typeof v === "string" && v.trim() !== "") {
      setOwn(settings, k, resolve(base, v.trim()));
    }
  }
}

function readSettingsFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new BeaconError(
      "bad_request",
      `--settings-file ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first !== undefined) throw new BeaconError("bad_request", `--settings-file ${file}: ${first.message}`);
  const v: unknown = doc.toJS();
  if (v === null || v === undefined) return {};
  if (typeof v !== "object" || Array.isArray(v)) {
    throw new BeaconError("bad_request", `--settings-file ${file}: expected a mapping of settings`);
  }
  return { ...(v as Record<string, unknown>) };
}

/** The settings to store for mirror `id` of `provider`, checked; throws bad_request naming each wrong setting. */
export function settingsFromInput(
  id: string,
  provider: string,
  input: SettingsInput,
): Record<string, unknown> {
  let fromFile: Record<string, unknown> = {};
  if (input.file !== undefined) {
    const file = resolve(input.cwd, input.file);
    fromFile = readSettingsFile(file);
    absolutiseFiles(fromFile, dirname(file));
  }
  const texts = new Map<string, string>();
  const fromFlags: Record<string, unknown> = {};
  for (const pair of input.sets) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new BeaconError("bad_request", `--set ${JSON.stringify(pair)}: expected key=value`);
    const key = pair.slice(0, eq).trim();
    const text = pair.slice(eq + 1);
    texts.set(key, text);
    setOwn(fromFlags, key, valueOf(text));
  }
  absolutiseFiles(fromFlags, input.cwd);
  const settings = { ...fromFile, ...fromFlags };

  const check = (candidate: Record<string, unknown>) =>
    checkMirrorSettings(id, provider, candidate, input.readFile);
  const refuse = (issues: readonly SettingIssue[]) =>
    new BeaconError(
      "bad_request",
      describeIssues(
        id,
        issues.map((i) => withJsonError(i, texts)),
      ),
    );
  const first = check(settings);
  if (first.ok) return settings;
  // A --set value the schema refused as parsed gets one more try as the text written.
  const retry = { ...settings };
  const substituted = new Set<string>();
  for (const issue of first.issues) {
    const text = texts.get(issue.setting);
    if (text !== undefined && typeof retry[issue.setting] !== "string") {
      setOwn(retry, issue.setting, text);
      substituted.add(issue.setting);
    }
  }
  if (substituted.size === 0) throw refuse(first.issues);
  const second = check(retry);
  if (second.ok) return retry;
  // A value wrong either way is reported as first read (parsed), the rest as the retry saw them.
  const stillBad = new Set(second.issues.map((i) => i.setting));
  throw refuse([
    ...first.issues.filter((i) => substituted.has(i.setting) && stillBad.has(i.setting)),
    ...second.issues.filter((i) => !substituted.has(i.setting)),
  ]);
}

/** A refused value that was meant as JSON says why it is not JSON (never quoting it: it may hold a secret). */
function withJsonError(issue: SettingIssue, texts: ReadonlyMap<string, string>): SettingIssue {
  const where = jsonError(texts.get(issue.setting));
  if (where === undefined) return issue;
  return { ...issue, message: `${issue.message} (the --set value is not valid JSON${where})` };
}
