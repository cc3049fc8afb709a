#!/usr/bin/env node
// npm run bench:dns — DNS query throughput of the real `beacon serve`, measured with dnsperf.
//
// Builds a zone of BENCH_NAMES hosts (A and AAAA) in a fresh SQLite file, starts the built server on
// loopback, and runs dnsperf BENCH_RUNS times for BENCH_SECONDS each with a query mix of A, AAAA and
// ~5% names that do not exist. Writes the median (min–max) to bench/RESULTS.md. Bounded in time; loopback only.

import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSection } from "./results.mjs";
import { openSqliteStore } from "../dist/store/sqlite/sqlite-store.js";
import { createZoneService } from "../dist/services/zones.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NAMES = Number(process.env.BENCH_NAMES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ZONE = "bench.beacon.test";

const work = mkdtempSync(join(tmpdir(), "beacon-bench-"));
const db = join(work, "beacon.db");
const progress = (msg) => process.stderr.write(`bench: ${msg}\n`);

async function buildZone() {
  progress(`building a ${NAMES}-name zone in ${db}`);
  const store = await openSqliteStore({ path: db });
  const noop = { zoneChanged() {}, zoneRemoved() {}, hostChanged() {}, hostRemoved() {}, serialChanged() {} };
  const zones = createZoneService({ store, clock: Date.now, listener: noop });
  await zones.addZone(ZONE, {});
  const batch = 1_000;
  for (let start = 0; start < NAMES; start += batch) {
    const writes = [];
    for (let i = start; i < Math.min(NAMES, start + batch); i++) {
      const fqdn = `h${i}.${ZONE}`;
      await store.createHost({ fqdn, zone: ZONE, ttl: undefined, description: "", createdAt: Date.now() });
      writes.push({
        fqdn,
        type: "A",
        rrset: { ttl: 60, values: [`81.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`] },
      });
      writes.push({ fqdn, type: "AAAA", rrset: { ttl: 60, values: [`2a02:8070::${i.toString(16)}`] } });
    }
    await store.commit({ writes, history: [], at: Date.now() });
    progress(`  ${Math.min(NAMES, start + batch)} / ${NAMES}`);
  }
  await store.close();
}

function queryFile() {
  const lines = [];
  for (let i = 0; i < 20_000; i++) {
    const n = (i * 7919) % NAMES;
    if (i % 20 === 0) lines.push(`missing${i}.${ZONE} A`);
    else lines.push(`h${n}.${ZONE} ${i % 2 === 0 ? "A" : "AAAA"}`);
  }
  const file = join(work, "queries.txt");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function startServer() {
  return new Promise((resolveReady, reject) => {
    const proc = spawn(
      process.execPath,
      [
        join(ROOT, "dist/cli/main.js"),
        "--data-dir",
        work,
        "serve",
        "--http-listen",
        "127.0.0.1:0",
        "--dns-listen",
        "127.0.0.1:0",
        "--log-level",
        "info",
      ],
      {
        env: { ...process.env, BEACON_CONFIG: "", BEACON_DEMO_ENABLED: "false" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    proc.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
      const line = err.split("\n").find((l) => l.includes('"beacon ready"'));
      if (line) resolveReady({ proc, port: JSON.parse(line).dns[0].port });
    });
    proc.once("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

function dnsperf(port, file) {
  return new Promise((resolveRun, reject) => {
    execFile(
      "dnsperf",
      [
        "-s",
        "127.0.0.1",
        "-p",
        String(port),
        "-d",
        file,
        "-l",
        String(SECONDS),
        "-c",
        "4",
        "-Q",
        "1000000",
        "-q",
        "500",
      ],
      { timeout: (SECONDS + 30) * 1000 },
      (error, stdout) => {
        const qps = /Queries per second:\s+([\d.]+)/.exec(stdout);
        const lost = /Queries lost:\s+(\d+)/.exec(stdout);
        if (!qps) return reject(error ?? new Error(`dnsperf output not understood:\n${stdout}`));
        resolveRun({ qps: Number(qps[1]), lost: Number(lost?.[1] ?? 0) });
      },
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  await buildZone();
  const file = queryFile();
  const { proc, port } = await startServer();
  const results = [];
  try {
    for (let r = 1; r <= RUNS; r++) {
      progress(`dnsperf run ${r}/${RUNS} (${SECONDS}s)`);
      const res = await dnsperf(port, file);
      progress(`  ${res.qps.toFixed(0)} queries/s, ${res.lost} lost`);
      results.push(res);
    }
  } finally {
    proc.kill("SIGTERM");
  }
  const qps = results.map((r) => r.qps);
  const summary = {
    date: new Date().toISOString(),
    names: NAMES,
    runs: RUNS,
    seconds: SECONDS,
    median: Math.round(median(qps)),
    min: Math.round(Math.min(...qps)),
    max: Math.round(Math.max(...qps)),
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
    "dnsperf runs on the same 2-core machine over loopback (`-c 4 -q 500`); no peers yet (a later issue adds BIND, Knot and PowerDNS side by side).",
  ]);
  progress(`wrote ${path}`);
}
