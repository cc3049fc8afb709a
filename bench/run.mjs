#!/usr/bin/env node
// npm run bench — Beacon side by side with a Node UDP echo, BIND, Knot, PowerDNS and NSD on the same
// zone and the same loads: query throughput and CPU per query, a big zone (start time, memory),
// update rates (RFC 2136 and HTTP), update-to-visible latency, and query latency under a mixed load.
// Writes the `peers` section of bench/RESULTS.md and prints a JSON summary on stdout; progress on
// stderr. Every load is bounded in count and time and stays on 127.0.0.1; every server is stopped
// by its PID, also on errors.
//
// Then (issue 15) updates/s and cross-node update-to-visible with one node on SQLite, one and three on
// a throwaway PostgreSQL, written to the `nodes` section.
//
// Then (issue 16) health-checked pools: CPU per 1,000 probes (tcp, http) and failure-to-new-answer,
// written to the `pools` section.
//
// Then (issue 17) the Lambda function's cold start and bundle size (lambda-cold-start.mjs; JSON only).
//
// Knobs (environment, defaults in brackets): BENCH_ONLY=queries,big,updates,mixed,nodes,pools,lambda (a subset keeps
// the other blocks of RESULTS.md) · BENCH_SERVERS=echo,beacon,bind,knot,pdns,nsd · BENCH_NAMES [10000] ·
// BENCH_RUNS [3] · BENCH_SECONDS [10] per dnsperf run · BENCH_WARMUP_SECONDS [2] (an unrecorded dnsperf
// run first) · BENCH_OUTSTANDING [200] (dnsperf -q) · BENCH_WORKERS [cores] (Beacon's dns.workers for
// the all-cores row) · BENCH_BIG=0 skips the big zone · BENCH_BIG_NAMES [1000000] ·
// BENCH_BIG_SERVERS [beacon,bind,knot,nsd,pdns] · BENCH_BIG_TIMEOUT_SECONDS [600] · BENCH_UPDATE_SECONDS [5]
// per update load · BENCH_VISIBLE_SAMPLES [200] · BENCH_MIXED_SECONDS [10] · BENCH_UPDATE_RATE [200/s]
// · BENCH_PROBE_QPS [200] · BENCH_POOLS [16] · BENCH_POOL_MEMBERS [63] · BENCH_POOL_SECONDS [20] per CPU
// window · BENCH_POOL_WARMUP_SECONDS [8] · BENCH_POOL_FAILOVERS [20] · BENCH_DIR [os.tmpdir()] · BENCH_KEEP=1 keeps the temp dir (configs, logs).

import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG, LOAD_CPU, UPDATE_HOSTS } from "./lib/config.mjs";
import { dnsperfVersion } from "./lib/dnsperf.mjs";
import { ALL_CPUS, errorText, loud, pinSelf, progress } from "./lib/harness.mjs";
import { renderNodes } from "./lib/report-nodes.mjs";
import { renderPools } from "./lib/report-pools.mjs";
import { renderPeers } from "./lib/report.mjs";
import { SERVERS, serverVersion, unavailable } from "./lib/servers.mjs";
import { benchBig } from "./lib/step-big.mjs";
import { benchMixed } from "./lib/step-mixed.mjs";
import { benchNodes } from "./lib/step-nodes.mjs";
import { benchPools } from "./lib/step-pools.mjs";
import { benchQueries } from "./lib/step-queries.mjs";
import { benchUpdates } from "./lib/step-updates.mjs";
import * as zone from "./lib/zone.mjs";
import { writeSection } from "./results.mjs";

const env = process.env;
const work = mkdtempSync(join(env.BENCH_DIR ?? tmpdir(), "beacon-bench-peers-"));
const cleanUp = () => {
  if (!CONFIG.keep) rmSync(work, { recursive: true, force: true });
};
process.once("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(130));

async function main() {
  if (cpus().length < 2)
    throw new Error("the bench pins the server and the load to different CPUs: it needs 2");
  const date = new Date().toISOString();
  const only = new Set(CONFIG.only);
  if (!CONFIG.big) only.delete("big");
  const needZone = only.has("queries") || only.has("updates") || only.has("mixed");
  const ctx = { work };
  if (needZone) {
    progress(`building a ${CONFIG.names}-name zone in ${work}`);
    ctx.dataDir = join(work, "beacon");
    const soa = await zone.buildBeaconDataDir(ctx.dataDir, { names: CONFIG.names });
    ctx.zoneFile = join(work, "zone.db");
    zone.writeZoneFile(ctx.zoneFile, { names: CONFIG.names, soa });
    ctx.queryFile = join(work, "queries.txt");
    zone.writeQueryFile(ctx.queryFile, { names: CONFIG.names });
    ctx.updateNames = Array.from({ length: UPDATE_HOSTS }, (_, k) => zone.hostName(CONFIG.names - 1 - k));
  }
  let loads;
  let probe;
  if (only.has("updates") || only.has("mixed") || only.has("nodes")) {
    try {
      loads = await import("./lib/update-load.mjs");
      probe = await import("./lib/probe.mjs");
      const { createCredentials } = await import("./lib/credentials.mjs");
      if (needZone)
        ctx.creds = await createCredentials({
          dataDir: ctx.dataDir,
          zone: zone.ZONE,
          hosts: ctx.updateNames,
        });
    } catch (e) {
      loud(`SKIPPING updates, mixed and nodes: the update-load modules failed: ${errorText(e)}`);
      only.delete("updates");
      only.delete("mixed");
      only.delete("nodes");
    }
  }
  const versions = { node: process.version, dnsperf: await dnsperfVersion() };
  for (const kind of CONFIG.servers.filter((k) => k !== "echo")) {
    if ((await unavailable(kind)) === null) versions[SERVERS[kind].label] = await serverVersion(kind);
  }
  const results = {};
  if (only.has("queries")) results.queries = await benchQueries(ctx);
  if (only.has("big")) results.big = await benchBig(ctx);
  if (only.has("updates")) {
    // The update clients get CPU 1 to themselves, as dnsperf does for queries. Not for the mixed
    // load: there dnsperf has CPU 1, and a probe queued behind it would time the scheduler.
    pinSelf(String(LOAD_CPU));
    try {
      results.updates = await benchUpdates(ctx, loads);
    } finally {
      pinSelf(ALL_CPUS);
    }
  }
  if (only.has("mixed")) results.mixed = await benchMixed(ctx, loads, probe, results);
  let nodes;
  if (only.has("nodes")) {
    try {
      nodes = await benchNodes(ctx, loads);
    } catch (e) {
      loud(`nodes: ${errorText(e)}`);
      nodes = { error: errorText(e) };
    }
  }
  let pools;
  if (only.has("pools")) {
    try {
      pools = await benchPools(ctx);
    } catch (e) {
      loud(`pools: ${errorText(e)}`);
      pools = { error: errorText(e) };
    }
  }
  // The Lambda function's cold start (bench/lambda-cold-start.mjs): printed in the JSON, not written.
  let lambda;
  if (only.has("lambda")) {
    try {
      const { benchLambda } = await import("./lambda-cold-start.mjs");
      lambda = await benchLambda({ runs: Math.max(1, Number(env.BENCH_LAMBDA_RUNS ?? 7)) });
    } catch (e) {
      loud(`lambda: ${errorText(e)}`);
      lambda = { error: errorText(e) };
    }
  }
  const knobs = Object.entries(env)
    .filter(([k]) => k.startsWith("BENCH_") || k === "NODE_OPTIONS")
    .sort()
    .map(([k, v]) => `${k}=${v}`);
  const meta = {
    command: [...knobs, "npm run bench"].join(" "),
    date,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Linux.`,
    versions,
  };
  // A run of the nodes or pools step alone leaves the peers section (and the command it names) as it was.
  if (Object.keys(results).length > 0) progress(`wrote ${writeSection("peers", renderPeers(meta, results))}`);
  if (nodes !== undefined) progress(`wrote ${writeSection("nodes", renderNodes(meta, nodes))}`);
  if (pools !== undefined) progress(`wrote ${writeSection("pools", renderPools(meta, pools))}`);
  console.log(
    JSON.stringify({ ...meta, config: CONFIG, results: { ...results, nodes, pools, lambda } }, null, 2),
  );
}

try {
  await main();
} catch (e) {
  progress(`failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
}
