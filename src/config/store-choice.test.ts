import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import { ConfigError } from "./errors.js";
import { loadServerConfig, type LoadServerConfigInput } from "./load.js";
import { parsePostgresUrl } from "./postgres-url.js";

const FILE = "/etc/beacon/beacon.yaml";
const SECRET = "s3cretPassw0rd";

function files(map: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = map[path];
    if (text === undefined)
      throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
    return text;
  };
}

function load(over: Partial<LoadServerConfigInput> & { yaml?: string; more?: Record<string, string> } = {}) {
  const { yaml, more = {}, ...rest } = over;
  return loadServerConfig({
    env: {},
    flags: {},
    cwd: "/srv/beacon",
    readFile: files({ ...(yaml === undefined ? {} : { [FILE]: yaml }), ...more }),
    ...(yaml === undefined ? {} : { file: FILE }),
    ...rest,
  });
}

function errorOf(over: Parameters<typeof load>[0]): string {
  try {
    load(over);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const message = (e as ConfigError).message;
    // The secret is in no part of the error: message, details or cause.
    expect(message).not.toContain(SECRET);
    expect(JSON.stringify((e as ConfigError).details)).not.toContain(SECRET);
    return message;
  }
  throw new Error("expected a ConfigError");
}

describe("parsePostgresUrl", () => {
  test.each([
    [`postgres://beacon:${SECRET}@db.example:6432/beacon`, "db.example:6432/beacon"],
    ["postgresql://db.example/beacon", "db.example:5432/beacon"],
    [`  postgres://u:${SECRET}@[::1]:5433/b%20c  \n`, "[::1]:5433/b c"],
    ["postgres:///beacon?host=/run/postgresql", "/run/postgresql:5432/beacon"],
  ])("%s → where %s", (url, where) => {
    const r = parsePostgresUrl(url);
    expect(r).toMatchObject({ ok: true, value: { where, url: url.trim() } });
  });

  test.each([
    [`mysql://u:${SECRET}@h/db`, "the scheme is not postgres or postgresql"],
    [`${SECRET} is not a url`, "this is not a URL"],
    [`postgres://u:${SECRET}@h/`, "the path must name one database"],
    [`postgres://u:${SECRET}@h/a/b`, "the path must name one database"],
    [`https://u:${SECRET}@h/db`, "the scheme is not postgres or postgresql"],
  ])("%s is refused (%s) without quoting it", (url, why) => {
    const r = parsePostgresUrl(url);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContain(why);
    expect(r.error).not.toContain(SECRET);
  });
});

describe("store selection", () => {
  test("nothing set: SQLite as before, no PostgreSQL", () => {
    const c = load();
    expect(c.store.postgres).toBeUndefined();
    expect(c.store.sqlitePath).toBe("/srv/beacon/data/beacon.db");
  });

  test("store.postgres_url from the file, the environment or a flag selects PostgreSQL", () => {
    const url = `postgres://beacon:${SECRET}@db:5432/beacon`;
    for (const c of [
      load({ yaml: `store:\n  postgres_url: "${url}"\n` }),
      load({ env: { BEACON_STORE_POSTGRES_URL: url } }),
      load({ flags: { "store.postgres_url": url } }),
    ]) {
      expect(c.store.postgres?.url).toBe(url);
      expect(c.store.postgres?.where).toBe("db:5432/beacon");
    }
  });

  test("the URL is in no serialised or inspected form of the config", () => {
    const c = load({ env: { BEACON_STORE_POSTGRES_URL: `postgres://beacon:${SECRET}@db/beacon` } });
    expect(c.store.postgres?.url).toContain(SECRET);
    expect(JSON.stringify(c)).not.toContain(SECRET);
    expect(inspect(c, { depth: Infinity })).not.toContain(SECRET);
    expect(JSON.stringify(c)).toContain("db:5432/beacon");
  });

  test("a bad URL names the setting and where it was written, never the value", () => {
    expect(errorOf({ yaml: `store:\n  postgres_url: "mysql://u:${SECRET}@h/db"\n` })).toBe(
      `config error: store.postgres_url in ${FILE}:2:17: expected a postgres:// or postgresql:// URL such as postgres://beacon:password@db.example:5432/beacon (the scheme is not postgres or postgresql)`,
    );
    expect(errorOf({ env: { BEACON_STORE_POSTGRES_URL: `${SECRET}` } })).toMatch(
      /^config error: store\.postgres_url from environment BEACON_STORE_POSTGRES_URL: .*\(this is not a URL\)$/,
    );
  });

  test("postgres_url_file: read and trimmed, relative to the config file (or to cwd from env)", () => {
    const url = `postgres://beacon:${SECRET}@db:5432/beacon`;
    const fromFile = load({
      yaml: "store:\n  postgres_url_file: secrets/pg\n",
      more: { "/etc/beacon/secrets/pg": `\n${url}\n` },
    });
    expect(fromFile.store.postgres?.url).toBe(url);
    const fromEnv = load({
      env: { BEACON_STORE_POSTGRES_URL_FILE: "pg.url" },
      more: { "/srv/beacon/pg.url": url },
    });
    expect(fromEnv.store.postgres?.where).toBe("db:5432/beacon");
  });

  test("postgres_url_file: unreadable, empty or not a URL is a ConfigError naming the setting", () => {
    const yaml = "store:\n  postgres_url_file: secrets/pg\n";
    expect(errorOf({ yaml })).toBe(
      `config error: store.postgres_url_file in ${FILE}:2:22: cannot read /etc/beacon/secrets/pg: it does not exist (ENOENT)`,
    );
    expect(errorOf({ yaml, more: { "/etc/beacon/secrets/pg": " \n" } })).toBe(
      `config error: store.postgres_url_file in ${FILE}:2:22: /etc/beacon/secrets/pg is empty`,
    );
    expect(errorOf({ yaml, more: { "/etc/beacon/secrets/pg": `${SECRET}\n` } })).toMatch(
      /^config error: store\.postgres_url_file in .*: the content of \/etc\/beacon\/secrets\/pg: expected a postgres:\/\/ .*\(this is not a URL\)$/,
    );
  });

  test("the URL and its file together, or PostgreSQL and an explicit sqlite_path, are refused", () => {
    const url = `postgres://beacon:${SECRET}@db/beacon`;
    expect(
      errorOf({
        env: { BEACON_STORE_POSTGRES_URL: url, BEACON_STORE_POSTGRES_URL_FILE: "pg.url" },
        more: { "/srv/beacon/pg.url": url },
      }),
    ).toBe(
      "config error: store.postgres_url_file from environment BEACON_STORE_POSTGRES_URL_FILE: set either store.postgres_url or store.postgres_url_file, not both",
    );
    expect(errorOf({ yaml: `store:\n  sqlite_path: x.db\n  postgres_url: "${url}"\n` })).toBe(
      `config error: store.sqlite_path in ${FILE}:2:3: set either store.sqlite_path (SQLite) or store.postgres_url (PostgreSQL), not both: which store to use would be ambiguous`,
    );
    expect(
      errorOf({
        flags: { "store.sqlite_path": "x.db", "store.postgres_url_file": "pg" },
        more: { "/srv/beacon/pg": url },
      }),
    ).toContain("set either store.sqlite_path (SQLite) or store.postgres_url_file (PostgreSQL), not both");
  });

  test("store.dynamodb_table selects DynamoDB; the region defaults to AWS_REGION", () => {
    const c = load({ env: { BEACON_STORE_DYNAMODB_TABLE: "beacon", AWS_REGION: "eu-west-1" } });
    expect(c.store.dynamodb).toEqual({ table: "beacon", region: "eu-west-1", endpoint: undefined });
    expect(c.store.postgres).toBeUndefined();
    const own = load({
      yaml: "store:\n  dynamodb_table: beacon\n  dynamodb_region: eu-central-1\n",
      env: { AWS_REGION: "eu-west-1" },
    });
    expect(own.store.dynamodb?.region).toBe("eu-central-1");
    expect(load().store.dynamodb).toBeUndefined();
  });

  test("DynamoDB without a region, or a region or endpoint without a table, is refused", () => {
    expect(errorOf({ env: { BEACON_STORE_DYNAMODB_TABLE: "beacon", AWS_REGION: " " } })).toBe(
      "config error: store.dynamodb_table from environment BEACON_STORE_DYNAMODB_TABLE: DynamoDB needs a region: set store.dynamodb_region (BEACON_STORE_DYNAMODB_REGION) or AWS_REGION",
    );
    expect(errorOf({ yaml: "store:\n  dynamodb_region: eu-west-1\n" })).toBe(
      `config error: store.dynamodb_region in ${FILE}:2:3: store.dynamodb_region is set but store.dynamodb_table is not`,
    );
    expect(errorOf({ flags: { "store.dynamodb_endpoint": "http://127.0.0.1:8000" } })).toBe(
      "config error: store.dynamodb_endpoint from flag --store-dynamodb-endpoint: store.dynamodb_endpoint is set but store.dynamodb_table is not",
    );
  });

  test("DynamoDB together with PostgreSQL or an explicit sqlite_path names both settings", () => {
    const env = { BEACON_STORE_DYNAMODB_TABLE: "beacon", AWS_REGION: "eu-west-1" };
    expect(errorOf({ env: { ...env, BEACON_STORE_POSTGRES_URL: `postgres://u:${SECRET}@db/beacon` } })).toBe(
      "config error: store.dynamodb_table from environment BEACON_STORE_DYNAMODB_TABLE: set either store.dynamodb_table (DynamoDB) or store.postgres_url (PostgreSQL), not both: which store to use would be ambiguous",
    );
    expect(
      errorOf({ env, flags: { "store.postgres_url_file": "pg" }, more: { "/srv/beacon/pg": "x" } }),
    ).toContain(
      "set either store.dynamodb_table (DynamoDB) or store.postgres_url_file (PostgreSQL), not both",
    );
    expect(errorOf({ env, yaml: "store:\n  sqlite_path: x.db\n" })).toContain(
      "set either store.dynamodb_table (DynamoDB) or store.sqlite_path (SQLite), not both",
    );
  });
});
