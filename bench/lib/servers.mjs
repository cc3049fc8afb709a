// The servers the bench compares, each started from a config written into its own temp dir
// (server-commands.mjs): a plain Node UDP echo (the socket layer's ceiling), Beacon, BIND, Knot, PowerDNS and
// NSD. Each runs in the foreground, optionally pinned with taskset, its output in a log file (a pipe
// the bench forgot to read would stall it). Every server is stopped by its PID (and its children's,
// checked by start time so a reused PID is never hit), also when the bench exits on an error.

import { execFile, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { clearTimeout } from "node:timers";
import { fileURLToPath } from "node:url";
import { aliveTree, snapshotTree } from "./procstat.mjs";
import { commandLine } from "./server-commands.mjs";
import { freeDnsPort, freeTcpPort } from "./ports.mjs";
import { queryUdp, waitForAnswer } from "./query.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Program and Debian package of each server ("echo" and "beacon" run on this Node). */
export const SERVERS = {
  echo: { label: "Node UDP echo", program: process.execPath, pkg: "nodejs" },
  beacon: { label: "Beacon", program: process.execPath, pkg: "nodejs" },
  bind: { label: "BIND", program: "named", pkg: "bind9" },
  knot: { label: "Knot", program: "knotd", pkg: "knot" },
  pdns: { label: "PowerDNS (bind backend)", program: "pdns_server", pkg: "pdns-server pdns-backend-bind" },
  nsd: { label: "NSD", program: "nsd", pkg: "nsd" },
};

const live = new Set();
let launches = 0;
process.once("exit", () => {
  for (const server of live) server.kill();
});

/** Resolves null when `kind` can run here, else a skip message naming the package to install. */
export function unavailable(kind) {
  const { program, pkg } = SERVERS[kind];
  return new Promise((done) => {
    execFile("sh", ["-c", `command -v ${program}`], (error) =>
      done(
        error === null
          ? null
          : `${program} not found: apt-get install ${pkg} (or scripts/install-test-peers.sh)`,
      ),
    );
  });
}

/** The server's version as it reports it ("9.18.49", "3.2.6"…), or "?". */
export function serverVersion(kind) {
  const { program } = SERVERS[kind];
  if (kind === "beacon") {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    return Promise.resolve(`${pkg.version} (Node ${process.version})`);
  }
  const [args, re] = {
    echo: [["--version"], /v(\S+)/],
    bind: [["-v"], /BIND (\S+)/],
    knot: [["-V"], /version (\S+)/],
    pdns: [["--version"], /Server (\S+)/],
    nsd: [["-v"], /version (\S+)/],
  }[kind];
  return new Promise((done) => {
    execFile(program, args, { timeout: 5000 }, (_e, stdout, stderr) => {
      done(re.exec(`${stdout}${stderr}`)?.[1] ?? "?");
    });
  });
}

/**
 * Starts `kind` on a free 127.0.0.1 port and waits until it answers `ready` ({ name, type, value }, an
 * authoritative answer; default: any authoritative SOA of the zone; the echo: any reply).
 * opts: { dir (a fresh dir for its config and logs), zone, zoneFile, dataDir (beacon), cpu (taskset
 * list or undefined), tsig ({ name, algorithm, secret }: accept UPDATE signed with it; bind, knot),
 * workers (beacon: dns.workers), nodeArgs (beacon), env (beacon: more BEACON_* settings), readyTimeoutMs }.
 * Resolves { kind, pid, port, httpPort?, readyMs, log(chars = 4000), alive(), exitInfo(), stop() }; rejects (with the
 * server's exit code and last output line) if it never answers.
 */
export async function startServer(kind, opts) {
  mkdirSync(opts.dir, { recursive: true });
  const ready = opts.ready ?? { name: opts.zone, type: "SOA", value: undefined };
  const timeoutMs = opts.readyTimeoutMs ?? 60_000;
  let last = "";
  // A free port can be taken before the server binds it: try again on fresh ports (bounded).
  for (let attempt = 0; attempt < (opts.attempts ?? 3); attempt++) {
    const port = await freeDnsPort();
    const httpPort = kind === "beacon" ? await freeTcpPort() : undefined;
    const argv = commandLine(kind, { ...opts, port, httpPort });
    const server = launch(kind, argv, opts, port, httpPort);
    const readyMs = await waitUntilReady(server, ready, timeoutMs);
    if (readyMs !== null) return { ...server, readyMs };
    last = server.exitInfo() ?? `no correct answer within ${timeoutMs} ms`;
    const exitedEarly = server.exited();
    await server.stop();
    // Only an early exit may be a port taken under us; a server that ran but never answered will not do better.
    if (!exitedEarly) break;
  }
  throw new Error(`${SERVERS[kind].label} did not come up: ${last}`);
}

function launch(kind, argv, opts, port, httpPort) {
  const logPath = join(opts.dir, `${kind}-${++launches}.log`);
  const fd = openSync(logPath, "a");
  const [cmd, ...args] = opts.cpu === undefined ? argv : ["taskset", "-c", String(opts.cpu), ...argv];
  const env = { ...process.env };
  if (kind === "beacon") {
    env.BEACON_CONFIG = "";
    env.BEACON_DEMO_ENABLED = "false";
    if (opts.workers !== undefined) env.BEACON_DNS_WORKERS = String(opts.workers);
    Object.assign(env, opts.env);
  }
  const startedAt = performance.now();
  const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], env, cwd: opts.dir });
  closeSync(fd);
  let exit = null;
  child.once("exit", (code, signal) => (exit = { code, signal }));
  const logTail = (chars = 4000) => {
    try {
      return readFileSync(logPath, "utf8").slice(-chars);
    } catch {
      return "";
    }
  };
  let tree = [];
  const server = {
    kind,
    pid: child.pid,
    port,
    httpPort,
    startedAt,
    log: logTail,
    alive: () => exit === null,
    exited: () => exit !== null,
    exitInfo: () => {
      if (exit === null) return undefined;
      // The last line that says something (not a JS or native stack frame, not a banner).
      const lastLine =
        logTail()
          .split("\n")
          .filter((l) => l.trim() !== "" && !/^\s+at |^\s*\d+: 0x|^\s*-{3,}|^<--- /.test(l))
          .pop() ?? "";
      return `exited with ${exit.signal ?? `code ${exit.code}`}; last output: ${lastLine}`;
    },
    /** SIGKILL to it and its children; for the exit handler. */
    kill() {
      for (const p of aliveTree(tree.length > 0 ? tree : snapshotTree(child.pid))) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
    },
    async stop() {
      live.delete(server);
      if (exit === null) {
        tree = snapshotTree(child.pid);
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const force = setTimeout(() => server.kill(), 10_000);
        await exited;
        clearTimeout(force);
      }
      // Forked children (NSD's) that outlived their parent.
      for (const p of aliveTree(tree)) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
    },
  };
  live.add(server);
  return server;
}

/**
 * The time from start to the first correct answer, or null. Beacon counts as up only once it has also
 * logged "beacon ready" (its DNS workers, if any, all listening): a worker can answer before another
 * one fails and takes the server down.
 */
async function waitUntilReady(server, ready, timeoutMs) {
  const answeredMs = await firstAnswer(server, ready, timeoutMs);
  if (answeredMs === null || server.kind !== "beacon") return answeredMs;
  const deadline = server.startedAt + timeoutMs;
  while (performance.now() < deadline && server.alive()) {
    if (server.log(Infinity).includes('"beacon ready"')) return answeredMs;
    await new Promise((res) => setTimeout(res, 50));
  }
  return null;
}

async function firstAnswer(server, ready, timeoutMs) {
  if (server.kind === "echo") {
    for (let i = 0; i < timeoutMs / 50 && server.alive(); i++) {
      if ((await queryUdp({ port: server.port, name: "echo.test", type: "A", timeoutMs: 50 })) !== null)
        return performance.now() - server.startedAt;
    }
    return null;
  }
  if (ready.value === undefined) {
    for (let i = 0; i < timeoutMs / 50 && server.alive(); i++) {
      const r = await queryUdp({ port: server.port, name: ready.name, type: ready.type, timeoutMs: 50 });
      if (r !== null && r.rcode === "NOERROR" && r.aa) return performance.now() - server.startedAt;
      if (r !== null) await new Promise((res) => setTimeout(res, 50));
    }
    return null;
  }
  return waitForAnswer({
    port: server.port,
    ...ready,
    since: server.startedAt,
    timeoutMs,
    alive: server.alive,
  });
}
