// Step 6 (issue 16): health-checked pools on the real `beacon serve` (one node, SQLite).
// 1. Probe cost: the server's CPU (/proc) per 1,000 probes, for tcp and http checks, with
//    BENCH_POOLS pools × BENCH_POOL_MEMBERS members probed every second against backends run in a
//    process of their own (pool-backends.mjs: their CPU is not counted), next to the same server idle
//    (no pools). Probes done are read from beacon_health_checks_total on /metrics over the window.
// 2. Failure to new answer: a failover pool (interval 1 s, timeout 0.5 s, fall 2, rise 2) of two HTTP
//    members served from this process; BENCH_POOL_FAILOVERS times, member A's backend stops and UDP
//    queries (query.mjs) poll until B is answered, then A starts again and they poll until A is
//    answered: both times against their bounds (interval × fall + interval, interval × rise + interval).
// Every wait is bounded; servers and backends are stopped by their PID, also on errors.

import { execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, get } from "node:http";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { clearTimeout } from "node:timers";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CONFIG } from "./config.mjs";
import { progress } from "./harness.mjs";
import { cpuSeconds } from "./procstat.mjs";
import { queryUdp } from "./query.mjs";
import { startServer } from "./servers.mjs";
import { percentile } from "./stats.mjs";

const BEACON_MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const BACKENDS = fileURLToPath(new URL("./pool-backends.mjs", import.meta.url));
const ZONE = "pools.bench.test";
/** Loopback member addresses are refused without it (docs/pools.md). */
const ALLOW_LOOPBACK = { BEACON_UPDATES_ALLOW_NON_GLOBAL: "true" };
export const FAILOVER_CHECK = { intervalMs: 1_000, timeoutMs: 500, fall: 2, rise: 2 };
/** Deadline of one answer move (a bound far above the expected 3 s: a miss is counted, not waited on). */
const MOVE_MS = 20_000;
const POLL_MS = 25;

export async function benchPools(ctx) {
  const t0 = performance.now();
  const loadStart = loadavg().map((x) => x.toFixed(2));
  progress(`pools: load average ${loadStart.join(", ")}`);
  const cost = await measureProbeCost(join(ctx.work, "pools-cost"));
  const failover = await measureFailover(join(ctx.work, "pools-failover"));
  return {
    pools: CONFIG.pools,
    members: CONFIG.poolMembers,
    seconds: CONFIG.poolSeconds,
    warmupSeconds: CONFIG.poolWarmupSeconds,
    loadStart,
    loadEnd: loadavg().map((x) => x.toFixed(2)),
    stepSeconds: Math.round((performance.now() - t0) / 1000),
    cost,
    failover,
  };
}

/** `beacon <args>` on `dataDir`, as an operator runs it; rejects with its stderr on a failure. */
async function beacon(dataDir, args) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [BEACON_MAIN, "--data-dir", dataDir, ...args],
    {
      env: { ...process.env, BEACON_CONFIG: "", ...ALLOW_LOOPBACK },
      timeout: 60_000,
    },
  );
  return stdout;
}

async function putPool(dataDir, spec) {
  const file = join(dataDir, `${spec.name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  await beacon(dataDir, ["pool", "put", file]);
}

async function freshDataDir(dir) {
  mkdirSync(dir, { recursive: true });
  await beacon(dir, ["migrate"]);
  await beacon(dir, ["zone", "add", ZONE]);
  return dir;
}

/** Runs fn(server) with `beacon serve` on `dataDir`; stops it (by its PID) whatever happens. */
async function withBeacon(dataDir, fn) {
  const server = await startServer("beacon", {
    dir: join(dataDir, "run"),
    dataDir,
    zone: ZONE,
    env: ALLOW_LOOPBACK,
  });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The body of GET `url` (loopback), within 10 s. */
function getText(url) {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve(body));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}: no answer within 10 s`)));
    req.on("error", reject);
  });
}

/** Probes this node has run so far, by result, from its /metrics. */
async function probesDone(server) {
  const text = await getText(`http://127.0.0.1:${server.httpPort}/metrics`);
  const counts = { ok: 0, fail: 0 };
  for (const m of text.matchAll(/^beacon_health_checks_total\{[^}]*result="(ok|fail)"[^}]*\} (\S+)$/gm))
    counts[m[1]] += Number(m[2]);
  return counts;
}

/** Polls /metrics until every member of `pool` is up (probed: unknown ones are answered too); bounded by MOVE_MS. */
async function membersUp(server, pool, members) {
  const since = performance.now();
  while (performance.now() - since < MOVE_MS && server.alive()) {
    const text = await getText(`http://127.0.0.1:${server.httpPort}/metrics`);
    const up = members.filter((m) => text.includes(`beacon_pool_member_up{pool="${pool}",member="${m}"} 1`));
    if (up.length === members.length) return;
    await sleep(100);
  }
  throw new Error(`${pool}: members ${members.join(", ")} not all up after ${MOVE_MS} ms`);
}

/** CPU and probes of `server` over CONFIG.poolSeconds; `idle`, the same server's window with no pools. */
async function window(server, idle) {
  const p0 = await probesDone(server);
  const cpu0 = cpuSeconds(server.pid);
  const w0 = performance.now();
  await sleep(CONFIG.poolSeconds * 1000);
  const cpu = cpuSeconds(server.pid) - cpu0;
  const seconds = (performance.now() - w0) / 1000;
  const p1 = await probesDone(server);
  if (!server.alive()) throw new Error(`beacon died while measured: ${server.exitInfo()}`);
  const probes = p1.ok - p0.ok + p1.fail - p0.fail;
  const perThousand = (cpuSeconds) => (probes === 0 ? null : (cpuSeconds * 1e6) / probes);
  return {
    seconds,
    probesPerSec: probes / seconds,
    failed: p1.fail - p0.fail,
    cpuPercent: (cpu / seconds) * 100,
    cpuMsPer1000: perThousand(cpu),
    // What the probing adds: the idle server's CPU over a window as long taken off.
    aboveIdleMsPer1000: idle && perThousand(cpu - (idle.cpuPercent / 100) * seconds),
  };
}

/** Starts pool-backends.mjs and resolves { pools: [{ port, addresses }], stop() }. */
async function startBackends(kind) {
  const child = spawn(process.execPath, [BACKENDS, kind, String(CONFIG.pools), String(CONFIG.poolMembers)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise((r) => child.once("exit", r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  try {
    const line = await new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("the backends did not start within 30 s")), 30_000);
      child.stdout.on("data", (chunk) => {
        out += chunk;
        if (out.includes("\n")) {
          clearTimeout(timer);
          resolve(out.split("\n")[0]);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the backends exited with ${code}`));
      });
    });
    return { ...JSON.parse(line), pid: child.pid, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function measureProbeCost(dir) {
  const dataDir = await freshDataDir(dir);
  return withBeacon(dataDir, async (server) => {
    await sleep(CONFIG.poolWarmupSeconds * 1000);
    const idle = await window(server);
    progress(`pools: idle server ${idle.cpuPercent.toFixed(2)} % CPU`);
    const rows = [];
    for (const kind of ["tcp", "http"]) {
      const backends = await startBackends(kind);
      try {
        progress(
          `pools: ${kind}: ${CONFIG.pools} pools × ${CONFIG.poolMembers} members, backends pid ${backends.pid}`,
        );
        for (const [p, { port, addresses }] of backends.pools.entries()) {
          await putPool(dataDir, {
            name: `p${p}.${ZONE}`,
            type: "A",
            steering: "all",
            check: { type: kind, port, intervalMs: 1_000, timeoutMs: 500 },
            members: addresses.map((address, m) => ({ id: `m${m}`, address })),
          });
        }
        // The running server re-reads the pools from the store within its settings poll; then a warm-up.
        await sleep(CONFIG.poolWarmupSeconds * 1000);
        const w = await window(server, idle);
        progress(
          `pools: ${kind}: ${w.probesPerSec.toFixed(0)} probes/s (${w.failed} failed), ${w.cpuPercent.toFixed(1)} % CPU, ${w.cpuMsPer1000?.toFixed(1)} ms CPU per 1,000 probes`,
        );
        rows.push({ kind, ...w });
      } finally {
        await backends.stop();
      }
    }
    for (let p = 0; p < CONFIG.pools; p++) await beacon(dataDir, ["pool", "rm", `p${p}.${ZONE}`]);
    return { idle, rows };
  });
}

/** An HTTP backend on `address`:`port` (0: one the OS picks, kept) that can stop and start again. */
function httpBackend(address, port = 0) {
  let server;
  return {
    address,
    port: () => port,
    start: () =>
      new Promise((resolve, reject) => {
        const s = createServer((_req, res) => res.end("ok\n"));
        s.once("error", reject);
        s.listen({ host: address, port }, () => {
          server = s;
          port = s.address().port;
          resolve();
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        const s = server;
        server = undefined;
        if (s === undefined) return resolve();
        s.close(() => resolve());
        s.closeAllConnections();
      }),
  };
}

/** Polls until `name` A answers exactly [`address`]; the ms it took from `since`, or null after MOVE_MS. */
async function answerBecomes(server, name, address, since) {
  while (performance.now() - since < MOVE_MS && server.alive()) {
    const t = performance.now();
    const reply = await queryUdp({ port: server.port, name, type: "A", timeoutMs: 500 });
    const values = reply?.answers.filter((a) => a.type === "A").map((a) => a.data) ?? [];
    if (reply?.rcode === "NOERROR" && values.length === 1 && values[0] === address)
      return performance.now() - since;
    await sleep(Math.max(0, POLL_MS - (performance.now() - t)));
  }
  return null;
}

const summary = (xs) => ({
  n: xs.length,
  p50: percentile(xs, 50),
  p99: percentile(xs, 99),
  max: xs.length === 0 ? null : Math.max(...xs),
});

async function measureFailover(dir) {
  const dataDir = await freshDataDir(dir);
  const a = httpBackend("127.0.200.1");
  await a.start();
  // B listens on A's port: the check has one port for every member.
  const b = httpBackend("127.0.200.2", a.port());
  const name = `www.${ZONE}`;
  try {
    await b.start();
    await putPool(dataDir, {
      name,
      type: "A",
      steering: "failover",
      check: { type: "http", port: a.port(), path: "/health", ...FAILOVER_CHECK },
      members: [
        { id: "a", address: a.address, priority: 1 },
        { id: "b", address: b.address, priority: 2 },
      ],
    });
    return await withBeacon(dataDir, async (server) => {
      // Both confirmed up first: the first move is then from up, as every other one.
      await membersUp(server, name, ["a", "b"]);
      if ((await answerBecomes(server, name, a.address, performance.now())) === null)
        throw new Error(`${name} never answered ${a.address}`);
      const away = [];
      const back = [];
      let missed = 0;
      for (let i = 0; i < CONFIG.poolFailovers; i++) {
        // A random phase against the probe schedule.
        await sleep(Math.random() * FAILOVER_CHECK.intervalMs);
        const stopped = performance.now();
        await a.stop();
        const tAway = await answerBecomes(server, name, b.address, stopped);
        await a.start();
        const tBack = await answerBecomes(server, name, a.address, performance.now());
        if (tAway === null) missed++;
        else away.push(tAway);
        if (tBack === null) throw new Error(`${name} never answered ${a.address} again (run ${i + 1})`);
        back.push(tBack);
        progress(
          `pools: failover ${i + 1}/${CONFIG.poolFailovers}: away ${tAway?.toFixed(0)} ms, back ${tBack.toFixed(0)} ms`,
        );
      }
      // Transitions are saved every few seconds: wait for the last ones, then count A's.
      await sleep(5_000);
      const history = JSON.parse(
        await beacon(dataDir, ["pool", "history", name, "--limit", "500", "--json"]),
      );
      const rows = Array.isArray(history) ? history : (history.transitions ?? []);
      return {
        runs: CONFIG.poolFailovers,
        check: FAILOVER_CHECK,
        missed,
        away: summary(away),
        back: summary(back),
        aDown: rows.filter((t) => t.member === "a" && t.to === "down").length,
        aUp: rows.filter((t) => t.member === "a" && t.to === "up").length,
      };
    });
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}
