// Step 5 (issue 15): several `beacon serve` nodes on one PostgreSQL, next to one node on SQLite, in one
// run. A throwaway cluster (pg-cluster.mjs, durable: fsync on) gets `beacon migrate` and the same data
// as a fresh SQLite dir (nodes-data.mjs); then, for one node on SQLite, one on PostgreSQL and three on
// PostgreSQL: HTTP dyndns2 updates/s (closed loop, each acknowledged after its commit) at 1 and 16
// clients, the 16 each on its own host either in zones of their own (spread) or all in ONE zone (the
// zone lock), spread round-robin over the nodes; and update-to-visible from node A to every node (A→A,
// A→B, A→C over UDP). Reports rates, latencies, every failed update, CPU per update of the nodes and of
// PostgreSQL (/proc), and PostgreSQL statements per update (pg_stat_statements). Nothing is pinned:
// PostgreSQL's backends need a core as much as the nodes. Every node is stopped by its PID and the
// cluster stopped and removed, also on errors.

import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { openPostgresStore } from "../../dist/store/postgres/postgres-store.js";
import { openSqliteStore } from "../../dist/store/sqlite/sqlite-store.js";
import { CONFIG, MAX_UPDATES } from "./config.mjs";
import { errorText, loud, progress } from "./harness.mjs";
import { ONE_ZONE, seedNodesData } from "./nodes-data.mjs";
import { findPgBin, startPgCluster } from "./pg-cluster.mjs";
import { cpuSeconds } from "./procstat.mjs";
import { startServer } from "./servers.mjs";
import { summarize } from "./stats.mjs";

const BEACON_MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const CLIENTS = 16;
const NODE_NAMES = ["A", "B", "C"];
/** How many of the statements of the one-client PostgreSQL run are printed (calls per update). */
const TOP_STATEMENTS = 16;

export async function benchNodes(ctx, loads) {
  if (findPgBin() === undefined) {
    const why = "no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)";
    loud(`SKIPPING the several-nodes step: ${why}`);
    return { skipped: why };
  }
  const t0 = performance.now();
  const load = loadavg().map((x) => x.toFixed(2));
  progress(`nodes: load average ${load.join(", ")}; starting a PostgreSQL cluster`);
  const cluster = await startPgCluster();
  try {
    const fsync = (await cluster.psql("show fsync")).trim();
    progress(`nodes: PostgreSQL ${cluster.version} on 127.0.0.1:${cluster.port}, fsync ${fsync}`);
    const sqliteDir = join(ctx.work, "nodes-sqlite");
    mkdirSync(sqliteDir, { recursive: true });
    const sqliteData = await seeded(openSqliteStore({ path: join(sqliteDir, "beacon.db") }));
    await cluster.psql("create database beacon");
    const url = cluster.url("beacon");
    await beaconMigrate(join(ctx.work, "nodes-migrate"), url);
    const pgData = await seeded(openPostgresStore(url, { migrate: false }));
    await cluster.psql("create extension pg_stat_statements", "beacon");
    const pg = { cluster, env: { BEACON_STORE_POSTGRES_URL: url } };
    const topologies = [
      { store: "SQLite", nodes: 1, data: sqliteData, dirs: [sqliteDir] },
      { store: "PostgreSQL", nodes: 1, data: pgData, pg, dirs: nodeDirs(ctx, 1) },
      { store: "PostgreSQL", nodes: 3, data: pgData, pg, dirs: nodeDirs(ctx, 3) },
    ];
    const rows = [];
    const visible = [];
    for (const t of topologies) {
      const label = `${t.store}, ${t.nodes} node${t.nodes > 1 ? "s" : ""}`;
      try {
        await withNodes(t, async (nodes) => {
          rows.push(...(await measureUpdates(t, nodes, loads, label)));
          visible.push(...(await measureVisible(t, nodes, loads, label)));
        });
      } catch (e) {
        loud(`nodes, ${label}: ${errorText(e)}`);
        rows.push({ store: t.store, nodes: t.nodes, error: errorText(e) });
      }
    }
    const seconds = Math.round((performance.now() - t0) / 1000);
    progress(`nodes: done in ${seconds} s`);
    return {
      runs: CONFIG.runs,
      seconds: CONFIG.updateSeconds,
      stepSeconds: seconds,
      loadAverage: load,
      postgres: { version: cluster.version, fsync },
      rows,
      visible,
    };
  } finally {
    await cluster.stop();
  }
}

async function seeded(opening) {
  const store = await opening;
  try {
    return await seedNodesData(store, { hosts: CLIENTS });
  } finally {
    await store.close();
  }
}

function nodeDirs(ctx, n) {
  return NODE_NAMES.slice(0, n).map((name) => {
    const dir = join(ctx.work, `nodes-pg${n}-${name}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  });
}

/** `beacon migrate` on the database at `url`, as an operator runs it before starting nodes. */
async function beaconMigrate(dir, url) {
  mkdirSync(dir, { recursive: true });
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [BEACON_MAIN, "--data-dir", dir, "migrate"],
    {
      env: { ...process.env, BEACON_CONFIG: "", BEACON_STORE_POSTGRES_URL: url },
      timeout: 60_000,
    },
  );
  progress(`nodes: beacon migrate: ${stdout.trim().split("\n")[0]}`);
}

/** Runs fn(nodes) with one `beacon serve` per dir of `t` started; stops every one started, whatever happens. */
async function withNodes(t, fn) {
  const nodes = [];
  try {
    for (const [i, dataDir] of t.dirs.entries()) {
      nodes.push(
        await startServer("beacon", {
          dir: join(dataDir, "run"),
          dataDir,
          zone: ONE_ZONE,
          env: t.pg?.env ?? {},
        }),
      );
      progress(`  node ${NODE_NAMES[i]} (${t.store}) up: pid ${nodes[i].pid}`);
    }
    return await fn(nodes);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

function mustBeAlive(nodes) {
  const dead = nodes.find((n) => !n.alive());
  if (dead !== undefined) throw new Error(`a node died while measured: ${dead.exitInfo()}`);
}

/** Top-level statements (what a node sends: ≈ round trips) in database beacon, not those run by triggers. */
const IN_BEACON = "where toplevel and dbid = (select oid from pg_database where datname = 'beacon')";

/** Statements run in database beacon since the last reset (pg_stat_statements; BEGIN and COMMIT included). */
async function statementCount(pg) {
  return Number(
    (
      await pg.cluster.psql(`select coalesce(sum(calls), 0) from pg_stat_statements ${IN_BEACON}`, "beacon")
    ).trim(),
  );
}

async function printTopStatements(pg, updates) {
  const text = await pg.cluster.psql(
    `select calls, regexp_replace(left(query, 110), '\\s+', ' ', 'g') from pg_stat_statements ${IN_BEACON} order by calls desc limit ${TOP_STATEMENTS}`,
    "beacon",
  );
  progress(`  statements per acknowledged update (calls / ${updates}), PostgreSQL, one client:`);
  for (const line of text.trim().split("\n")) {
    const [calls, query] = line.split("|");
    progress(`    ${(Number(calls) / updates).toFixed(2)}  ${query}`);
  }
}

async function measureUpdates(t, nodes, loads, label) {
  const plans = [
    { clients: 1, hosts: "spread" },
    { clients: CLIENTS, hosts: "spread" },
    { clients: CLIENTS, hosts: "one zone" },
  ].filter((p) => t.nodes === 1 || p.clients > 1);
  const rows = [];
  for (const plan of plans) {
    const runs = [];
    for (let r = 0; r < CONFIG.runs; r++) {
      if (t.pg) await t.pg.cluster.psql("select pg_stat_statements_reset()", "beacon");
      const cpu0 = nodes.reduce((a, n) => a + cpuSeconds(n.pid), 0);
      const pgCpu0 = t.pg ? cpuSeconds(t.pg.cluster.pid) : 0;
      const res = await loads.httpUpdateLoad({
        baseUrls: nodes.map((n) => `http://127.0.0.1:${n.httpPort}`),
        tokens: plan.hosts === "spread" ? t.data.spread : t.data.oneZone,
        protocol: "dyndns2",
        concurrency: plan.clients,
        durationMs: CONFIG.updateSeconds * 1000,
        maxRequests: MAX_UPDATES,
      });
      const cpu = nodes.reduce((a, n) => a + cpuSeconds(n.pid), 0) - cpu0;
      const pgCpu = t.pg ? cpuSeconds(t.pg.cluster.pid) - pgCpu0 : undefined;
      const statements = t.pg ? await statementCount(t.pg) : undefined;
      if (t.pg && plan.clients === 1 && r === CONFIG.runs - 1) await printTopStatements(t.pg, res.count);
      mustBeAlive(nodes);
      const perUpdate = (x) => (x === undefined || res.count === 0 ? undefined : x / res.count);
      runs.push({
        ...res,
        nodeCpuMs: perUpdate(cpu * 1000),
        pgCpuMs: perUpdate(pgCpu && pgCpu * 1000),
        statements: perUpdate(statements),
      });
      progress(
        `  ${label}, ${plan.clients} client(s), ${plan.hosts}: ${res.ratePerSec}/s, p99 ${res.p99Ms} ms, ${res.errors} errors`,
      );
    }
    const sum = (f) => summarize(runs.map(f));
    rows.push({
      store: t.store,
      nodes: t.nodes,
      ...plan,
      rate: sum((x) => x.ratePerSec),
      p50: sum((x) => x.p50Ms),
      p99: sum((x) => x.p99Ms),
      errors: runs.reduce((a, x) => a + x.errors, 0),
      firstError: runs.find((x) => x.firstError)?.firstError,
      nodeCpuMs: sum((x) => x.nodeCpuMs),
      pgCpuMs: sum((x) => x.pgCpuMs),
      statements: sum((x) => x.statements),
    });
  }
  return rows;
}

/** Update via node A, answered by each node (A→A, A→B, A→C), CONFIG.runs × CONFIG.visibleSamples. */
async function measureVisible(t, nodes, loads, label) {
  const first = t.data.spread[0];
  const runs = [];
  for (let r = 0; r < CONFIG.runs; r++) {
    runs.push(
      await loads.updateToVisible({
        baseUrl: `http://127.0.0.1:${nodes[0].httpPort}`,
        token: first.token,
        host: first.host,
        dnsHost: "127.0.0.1",
        dnsPorts: nodes.map((n) => n.port),
        samples: CONFIG.visibleSamples,
      }),
    );
    mustBeAlive(nodes);
  }
  return nodes.map((_, i) => {
    const per = runs.map((x) => x.ports[i]);
    const path = `${NODE_NAMES[0]} → ${NODE_NAMES[i]}`;
    progress(`  ${label}, visible ${path}: p99 ${per.map((x) => x.p99Ms).join(", ")} ms`);
    return {
      store: t.store,
      nodes: t.nodes,
      path,
      cross: i > 0,
      samples: CONFIG.visibleSamples,
      failures: per.reduce((a, x) => a + x.failures, 0),
      p50: summarize(per.map((x) => x.p50Ms)),
      p99: summarize(per.map((x) => x.p99Ms)),
      max: summarize(per.map((x) => x.maxMs)),
    };
  });
}
