// Which store `beacon serve` uses, decided once the settings are valid: PostgreSQL when
// store.postgres_url or store.postgres_url_file is set, SQLite (store.sqlite_path or its default)
// otherwise. Promises: never throws; every problem is a ConfigIssue naming the setting and where it
// was written, and none quotes the URL or the file's content (both are secrets): an unreadable file,
// an empty one, a URL read from it that is not one, the URL set twice, or PostgreSQL and an explicit
// sqlite_path together (which store is meant would be a guess).

import { formatPath, type ConfigIssue } from "./errors.js";
import type { Locate } from "./issues.js";
import { parsePostgresUrl, type PostgresTarget } from "./postgres-url.js";
import { describeReadError } from "./yaml-source.js";

export interface StoreSettings {
  readonly sqlite_path?: string | undefined;
  /** Already validated by the schema (schema.ts). */
  readonly postgres_url?: PostgresTarget | undefined;
  readonly postgres_url_file?: string | undefined;
}

export interface StoreChoiceDeps {
  readonly readFile: (path: string) => string;
  /** Absolute path of a path-valued setting (relative to the YAML file when written there). */
  readonly resolvePath: (settingKey: string, value: string) => string;
  readonly locate: Locate;
}

export interface StoreChoice {
  /** Undefined: SQLite. */
  readonly postgres: PostgresTarget | undefined;
  readonly issues: readonly ConfigIssue[];
}

const FILE_PATH = ["store", "postgres_url_file"];

export function chooseStore(store: StoreSettings, deps: StoreChoiceDeps): StoreChoice {
  const issue = (path: readonly string[], message: string, at: "key" | "value" = "value"): StoreChoice => ({
    postgres: undefined,
    issues: [{ setting: formatPath(path), source: deps.locate(path, at), message }],
  });
  const { postgres_url: inline, postgres_url_file: file, sqlite_path: sqlitePath } = store;
  if (inline !== undefined && file !== undefined)
    return issue(FILE_PATH, "set either store.postgres_url or store.postgres_url_file, not both", "key");
  const usesPostgres = inline !== undefined || file !== undefined;
  if (usesPostgres && sqlitePath !== undefined)
    return issue(
      ["store", "sqlite_path"],
      `set either store.sqlite_path (SQLite) or ${inline !== undefined ? "store.postgres_url" : "store.postgres_url_file"} (PostgreSQL), not both: which store to use would be ambiguous`,
      "key",
    );
  if (file === undefined) return { postgres: inline, issues: [] };
  const absolute = deps.resolvePath(formatPath(FILE_PATH), file);
  let text: string;
  try {
    text = deps.readFile(absolute);
  } catch (e) {
    return issue(FILE_PATH, `cannot read ${absolute}: ${describeReadError(e)}`);
  }
  if (text.trim() === "") return issue(FILE_PATH, `${absolute} is empty`);
  const parsed = parsePostgresUrl(text);
  if (!parsed.ok) return issue(FILE_PATH, `the content of ${absolute}: ${parsed.error}`);
  return { postgres: parsed.value, issues: [] };
}
