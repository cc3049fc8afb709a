#!/usr/bin/env node
// npm run bench:dns — DNS query throughput of the real `beacon serve` alone, measured with dnsperf
// (`npm run bench` puts it next to BIND, Knot, PowerDNS, NSD and a Node UDP echo).
//
// Builds a zone of BENCH_NAMES hosts (A and AAAA) in a fresh SQLite file, starts the built server on
// loopback, and runs dnsperf BENCH_RUNS times for BENCH_SECONDS each with a query mix of A, AAAA and
// ~5% names that do not exist. Writes the median (min–max) to bench/RESULTS.md. Bounded in time; loopback only.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDnsperf } from "./lib/dnsperf.mjs";
import { startServer } from "./lib/servers.mjs";
import { summarize } from "./lib/stats.mjs";
import { buildBeaconDataDir, writeQueryFile, ZONE } from "./lib/zone.mjs";
import { writeSection } from "./results.mjs";

const NAMES = Number(process.env.BENCH_NAMES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const work = mkdtempSync(join(tmpdir(), "beacon-bench-"));
const progress = (msg) => process.stderr.write(`bench: ${msg}\n`);

try {
  progress(`building a ${NAMES}-name zone in ${work}`);
  await buildBeaconDataDir(work, { names: NAMES });
  const file = join(work, "queries.txt");
  writeQueryFile(file, { names: NAMES });
  const server = await startServer("beacon", { dir: join(work, "server"), zone: ZONE, dataDir: work });
  const results = [];
  try {
    for (let r = 1; r <= RUNS; r++) {
      progress(`dnsperf run ${r}/${RUNS} (${SECONDS}s)`);
      const res = await runDnsperf({
        port: server.port,
        file,
        seconds: SECONDS,
        outstanding: 500,
        maxQps: 1e6,
      });
      progress(`  ${res.qps.toFixed(0)} queries/s, ${res.lost} lost`);
      results.push(res);
    }
  } finally {
    await server.stop();
  }
  const qps = summarize(results.map((r) => r.qps));
  const summary = {
    date: new Date().toISOString(),
    names: NAMES,
    runs: RUNS,
    seconds: SECONDS,
    median: Math.round(qps.median),
    min: Math.round(qps.min),
    max: Math.round(qps.max),
    lost: results.reduce((a, r) => a + r.lost, 0),
  };
  console.log(JSON.stringify(summary));
  writeResults(summary);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function writeResults(s) {
  const path = writeSection("dns", [
    "## DNS queries: `npm run bench:dns`",
    "",
    `Command: \`BENCH_NAMES=${s.names} BENCH_RUNS=${s.runs} BENCH_SECONDS=${s.seconds} npm run bench:dns\` — ${s.date}`,
    "",
    "| server | zone | queries/s median | min | max | lost |",
    "|---|---|---|---|---|---|",
    `| Beacon (\`beacon serve\`, one process) | ${s.names} names, A+AAAA, ~5% NXDOMAIN | ${s.median} | ${s.min} | ${s.max} | ${s.lost} |`,
    "",
    "dnsperf runs on the same 2-core machine over loopback (`-c 4 -q 500`), neither pinned; `npm run bench` (section below) measures Beacon next to BIND, Knot, PowerDNS and NSD, pinned.",
  ]);
  progress(`wrote ${path}`);
}
