// Which store Beacon uses, decided once the settings are valid: PostgreSQL when store.postgres_url or
// store.postgres_url_file is set, DynamoDB (the serverless edition's) when store.dynamodb_table is,
// SQLite (store.sqlite_path or its default) otherwise. Promises: never throws; every problem is a
// ConfigIssue naming the setting and where it was written, and none quotes the URL or the file's
// content (both are secrets): an unreadable file, an empty one, a URL read from it that is not one,
// the URL set twice, two stores at once (PostgreSQL, DynamoDB, an explicit sqlite_path: which is meant
// would be a guess), a DynamoDB region or endpoint without a table, or no region (neither
// store.dynamodb_region nor AWS_REGION in the environment).

import { formatPath, type ConfigIssue } from "./errors.js";
import type { Locate } from "./issues.js";
import { parsePostgresUrl, type PostgresTarget } from "./postgres-url.js";
import { describeReadError } from "./yaml-source.js";

export interface StoreSettings {
  readonly sqlite_path?: string | undefined;
  /** Already validated by the schema (schema.ts). */
  readonly postgres_url?: PostgresTarget | undefined;
  readonly postgres_url_file?: string | undefined;
  readonly dynamodb_table?: string | undefined;
  readonly dynamodb_region?: string | undefined;
  readonly dynamodb_endpoint?: string | undefined;
}

/** The store is the DynamoDB table `table` in `region` (through `endpoint` when set). */
export interface DynamoTarget {
  readonly table: string;
  readonly region: string;
  readonly endpoint: string | undefined;
}

export interface StoreChoiceDeps {
  readonly readFile: (path: string) => string;
  /** Absolute path of a path-valued setting (relative to the YAML file when written there). */
  readonly resolvePath: (settingKey: string, value: string) => string;
  readonly locate: Locate;
  /** The process environment: AWS_REGION is the default of store.dynamodb_region. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface StoreChoice {
  /** Both undefined: SQLite. */
  readonly postgres: PostgresTarget | undefined;
  readonly dynamodb: DynamoTarget | undefined;
  readonly issues: readonly ConfigIssue[];
}

const FILE_PATH = ["store", "postgres_url_file"];

export function chooseStore(store: StoreSettings, deps: StoreChoiceDeps): StoreChoice {
  const issue = (path: readonly string[], message: string, at: "key" | "value" = "value"): StoreChoice => ({
    postgres: undefined,
    dynamodb: undefined,
    issues: [{ setting: formatPath(path), source: deps.locate(path, at), message }],
  });
  const {
    postgres_url: inline,
    postgres_url_file: file,
    sqlite_path: sqlitePath,
    dynamodb_table: table,
  } = store;
  if (inline !== undefined && file !== undefined)
    return issue(FILE_PATH, "set either store.postgres_url or store.postgres_url_file, not both", "key");
  const postgresKey = inline !== undefined ? "store.postgres_url" : "store.postgres_url_file";
  const usesPostgres = inline !== undefined || file !== undefined;
  const both = (path: readonly string[], one: string, other: string) =>
    issue(path, `set either ${one} or ${other}, not both: which store to use would be ambiguous`, "key");
  if (table !== undefined) {
    if (usesPostgres)
      return both(DYNAMO_TABLE, "store.dynamodb_table (DynamoDB)", `${postgresKey} (PostgreSQL)`);
    if (sqlitePath !== undefined)
      return both(DYNAMO_TABLE, "store.dynamodb_table (DynamoDB)", "store.sqlite_path (SQLite)");
    return chooseDynamo(store, table, deps, issue);
  }
  for (const name of ["dynamodb_region", "dynamodb_endpoint"] as const)
    if (store[name] !== undefined)
      return issue(["store", name], `store.${name} is set but store.dynamodb_table is not`, "key");
  if (usesPostgres && sqlitePath !== undefined)
    return both(["store", "sqlite_path"], "store.sqlite_path (SQLite)", `${postgresKey} (PostgreSQL)`);
  if (file === undefined) return { postgres: inline, dynamodb: undefined, issues: [] };
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
  return { postgres: parsed.value, dynamodb: undefined, issues: [] };
}

const DYNAMO_TABLE = ["store", "dynamodb_table"];

function chooseDynamo(
  store: StoreSettings,
  table: string,
  deps: StoreChoiceDeps,
  issue: (path: readonly string[], message: string, at?: "key" | "value") => StoreChoice,
): StoreChoice {
  const region = store.dynamodb_region ?? nonEmpty(deps.env["AWS_REGION"]);
  if (region === undefined)
    return issue(
      DYNAMO_TABLE,
      "DynamoDB needs a region: set store.dynamodb_region (BEACON_STORE_DYNAMODB_REGION) or AWS_REGION",
      "key",
    );
  return { postgres: undefined, dynamodb: { table, region, endpoint: store.dynamodb_endpoint }, issues: [] };
}

const nonEmpty = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s.trim());
