// A throwaway PostgreSQL cluster for tests: `initdb` into a fresh temp dir, `pg_ctl start` on a free
// port of 127.0.0.1 with its socket in that dir, durability off (fsync, synchronous_commit: a test's
// data need not survive a crash). Promises:
// - startCluster() resolves undefined (after a loud warning) when the PostgreSQL binaries are missing,
//   and rejects instead under BEACON_REQUIRE_PEERS=1 (CI), as the other peers do;
// - run as root, the cluster belongs to the `postgres` OS user (PostgreSQL refuses to run as root):
//   its dir is chowned to it and the binaries run through `runuser -u postgres --`;
// - stop() stops the server (`pg_ctl stop -m immediate`) and removes the dir; it is idempotent;
// - pause() shuts the server down as an operator would (`pg_ctl stop -m fast`: sessions are ended,
//   the port refuses connections) and keeps its data; resume() starts it again on the same port. Both
//   resolve once done and are harmless when already in that state.
// Callers must call stop() in afterAll (also when a test failed): never leave a server running.
// Every database is reachable as the superuser `postgres` without a password (trust, loopback only).

import { execFile } from "node:child_process";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import pg from "pg";

const run = promisify(execFile);

/** Where Debian installs each major version's server binaries. */
const DEBIAN_ROOT = "/usr/lib/postgresql";
const START_ATTEMPTS = 3;

export interface PgCluster {
  readonly port: number;
  /** The connection URL of database `db`. */
  url(db: string): string;
  /** Creates database `name` (a copy of `template` when given) and resolves with its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  /** Runs one statement on database `db` (default "postgres") and resolves with its rows. */
  query<R extends pg.QueryResultRow>(text: string, params?: unknown[], db?: string): Promise<R[]>;
  /** Shuts the server down (fast), keeping its data: an outage. */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** The bin dir of the newest PostgreSQL installed the Debian way, or undefined. */
export async function findPgBin(): Promise<string | undefined> {
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const versions = (await readdir(DEBIAN_ROOT))
    .filter((v) => existsSync(join(DEBIAN_ROOT, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(DEBIAN_ROOT, versions[0], "bin");
}

function skipOrThrow(why: string): undefined {
  if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
  console.warn(`\n!!! SKIPPING PostgreSQL tests: ${why}\n`);
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
function pgRun(bin: string, tool: string, args: string[]) {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot
    ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
    : [join(bin, tool), args];
  return run(file, argv, { cwd: tmpdir() });
}

async function ownedTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "beacon-pg-"));
  if (process.getuid?.() === 0) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  return dir;
}

/** Starts a fresh cluster, or resolves undefined (loudly) when PostgreSQL is not installed here. */
export async function startCluster(): Promise<PgCluster | undefined> {
  const bin = await findPgBin();
  if (bin === undefined)
    return skipOrThrow(
      `no PostgreSQL server under ${DEBIAN_ROOT} (scripts/install-test-peers.sh installs it)`,
    );
  const dir = await ownedTempDir();
  const data = join(dir, "data");
  let port = 0;
  let started = false;
  const stop = async () => {
    if (started) {
      started = false;
      await pgRun(bin, "pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const pgStart = async () => {
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
    ].join(" ");
    await pgRun(bin, "pg_ctl", ["start", "-D", data, "-l", join(dir, "log"), "-w", "-o", options]);
  };
  let paused = false;
  try {
    await pgRun(bin, "initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "-A",
      "trust",
      "--no-sync",
      "-E",
      "UTF8",
      "--locale=C",
    ]);
    for (let attempt = 1; !started; attempt++) {
      port = await freePort();
      try {
        await pgStart();
        started = true;
      } catch (e) {
        // Another process may have taken the port between freePort() and the bind: try another.
        if (attempt >= START_ATTEMPTS) throw e;
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }

  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const query = async <R extends pg.QueryResultRow>(
    text: string,
    params: unknown[] = [],
    db = "postgres",
  ) => {
    const client = new pg.Client({ connectionString: url(db) });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    query,
    async createDatabase(name, template) {
      const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
      await query(
        `create database ${ident(name)}${template === undefined ? "" : ` template ${ident(template)}`}`,
      );
      return url(name);
    },
    async pause() {
      if (!started || paused) return;
      await pgRun(bin, "pg_ctl", ["stop", "-D", data, "-m", "fast", "-w"]);
      paused = true;
    },
    async resume() {
      if (!started || !paused) return;
      await pgStart();
      paused = false;
    },
    stop,
  };
}
