// A throwaway PostgreSQL cluster for the bench: `initdb` into a fresh temp dir, `pg_ctl start` on a
// free port of 127.0.0.1 (socket in that dir), DURABLE as a production server is (fsync and
// synchronous_commit on, the defaults: figures next to SQLite's synchronous=FULL), pg_stat_statements
// loaded so a run can count the statements of a commit. The bench's own copy of
// src/store/postgres/testing/cluster.ts, which is a test helper (not in dist/) and turns durability off.
// Promises: run as root, the cluster belongs to the `postgres` OS user (binaries through `runuser`);
// stop() stops the postmaster (`pg_ctl stop -m fast`, then SIGKILL to its PID if it is still there)
// and removes the dir, and is idempotent; if the bench exits without calling it, an exit handler sends
// the postmaster SIGQUIT (immediate shutdown) by PID and removes the dir.

import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freeTcpPort } from "./ports.mjs";

const run = promisify(execFile);
const DEBIAN_ROOT = "/usr/lib/postgresql";
const START_ATTEMPTS = 3;

/** The bin dir of the newest PostgreSQL installed the Debian way, or undefined. */
export function findPgBin() {
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const version = readdirSync(DEBIAN_ROOT)
    .filter((v) => existsSync(join(DEBIAN_ROOT, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version === undefined ? undefined : join(DEBIAN_ROOT, version, "bin");
}

const asRoot = process.getuid?.() === 0;
function pgRun(bin, tool, args) {
  const [file, argv] = asRoot
    ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
    : [join(bin, tool), args];
  return run(file, argv, { cwd: tmpdir(), timeout: 60_000 });
}

/** The postmaster's PID from its pid file, or undefined. */
function postmasterPid(data) {
  try {
    const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/**
 * Starts a cluster. Resolves { bin, port, pid (the postmaster's), version, url(db), psql(sql, db),
 * stop() }; rejects (after cleaning up) when it cannot start. Call findPgBin() first to skip without it.
 */
export async function startPgCluster() {
  const bin = findPgBin();
  if (bin === undefined) throw new Error(`no PostgreSQL server under ${DEBIAN_ROOT}`);
  const dir = mkdtempSync(join(tmpdir(), "beacon-bench-pg-"));
  if (asRoot) {
    const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  let pid;
  const onExit = () => {
    if (pid !== undefined) signal(pid, "SIGQUIT");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", onExit);
    if (pid !== undefined) {
      await pgRun(bin, "pg_ctl", ["stop", "-D", data, "-m", "fast", "-w"]).catch(() => undefined);
      if (postmasterPid(data) === pid) signal(pid, "SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  let port;
  try {
    await pgRun(bin, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"]);
    for (let attempt = 1; pid === undefined; attempt++) {
      port = await freeTcpPort();
      const options = [
        `-p ${port}`,
        `-k ${dir}`,
        "-c listen_addresses=127.0.0.1",
        "-c shared_preload_libraries=pg_stat_statements",
        "-c pg_stat_statements.track=all",
      ].join(" ");
      try {
        await pgRun(bin, "pg_ctl", ["start", "-D", data, "-l", join(dir, "log"), "-w", "-o", options]);
        pid = postmasterPid(data);
        if (pid === undefined) throw new Error("pg_ctl started no postmaster (no postmaster.pid)");
      } catch (e) {
        // Another process may have taken the port between freeTcpPort() and the bind: try another.
        if (attempt >= START_ATTEMPTS) throw e;
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const url = (db) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const psql = async (sql, db = "postgres") =>
    (
      await pgRun(bin, "psql", [
        "-h",
        dir,
        "-p",
        String(port),
        "-d",
        db,
        "-AXqt",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
      ])
    ).stdout;
  const version = (await psql("show server_version")).trim();
  return { bin, port, pid, version, url, psql, stop };
}
