// The PostgreSQL connection URL of `store.postgres_url` (or read from `store.postgres_url_file`).
// Promises: the URL is a secret (it may carry the password), so nothing here ever quotes it: a
// rejected URL is described by what is wrong with it, and `where` (host:port/database) is the only
// part meant for logs, errors and the ready line. The built target keeps `url` non-enumerable, so a
// config logged or serialised whole (JSON.stringify, pino, util.inspect) does not show it either.

/** The store is PostgreSQL at `url`; `where` is what may be printed. */
export interface PostgresTarget {
  /** Non-enumerable: read it to connect, never print it. */
  readonly url: string;
  /** `host:port/database`, without user or password. */
  readonly where: string;
}

export type PostgresUrlResult =
  { readonly ok: true; readonly value: PostgresTarget } | { readonly ok: false; readonly error: string };

const EXPECTED =
  "expected a postgres:// or postgresql:// URL such as postgres://beacon:password@db.example:5432/beacon";

/** Never throws; the error never contains the input. */
export function parsePostgresUrl(input: string): PostgresUrlResult {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `${EXPECTED} (this is not a URL)` };
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    return { ok: false, error: `${EXPECTED} (the scheme is not postgres or postgresql)` };
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/"))
    return { ok: false, error: `${EXPECTED} (the path must name one database)` };
  return { ok: true, value: postgresTarget(text, describeTarget(url, database)) };
}

/** host:port/database; a socket directory given as `?host=/run/postgresql` is shown as the host. */
function describeTarget(url: URL, database: string): string {
  const host = url.hostname !== "" ? url.hostname : (url.searchParams.get("host") ?? "localhost");
  return `${host}:${url.port === "" ? "5432" : url.port}/${database}`;
}

function postgresTarget(url: string, where: string): PostgresTarget {
  const target = { where } as PostgresTarget;
  Object.defineProperty(target, "url", { value: url, enumerable: false });
  return target;
}
