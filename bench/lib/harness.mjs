// What every step of the bench does around a server: start it and always stop it, check its answers
// before measuring, measure it with dnsperf and /proc, and say what is happening on stderr.

import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG, SERVER_CPU } from "./config.mjs";
import { runDnsperf } from "./dnsperf.mjs";
import { cpuSeconds, memoryMiB } from "./procstat.mjs";
import { checkAnswers } from "./query.mjs";
import { startServer } from "./servers.mjs";
import { summarize } from "./stats.mjs";
import * as zone from "./zone.mjs";

export const progress = (msg) => process.stderr.write(`bench: ${msg}\n`);
export const loud = (msg) => process.stderr.write(`\nbench: ****** ${msg} ******\n\n`);
export const errorText = (e) =>
  (e instanceof Error ? e.message : String(e)).split("\n").slice(0, 3).join(" / ");

/** Pins this process (every thread: the update loads and probes run here) to `cpus`, a taskset list. */
export function pinSelf(cpuList) {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", cpuList, String(process.pid)], { stdio: "ignore" });
  } catch (e) {
    progress(`could not pin the bench process to CPU ${cpuList}: ${errorText(e)}`);
  }
}
export const ALL_CPUS = `0-${cpus().length - 1}`;

/** Start options for a server that takes updates: its own dir under the run's, the shared zone and key. */
export function updatableServer(ctx, dirName) {
  return {
    dir: join(ctx.work, dirName),
    zone: zone.ZONE,
    zoneFile: ctx.zoneFile,
    dataDir: ctx.dataDir,
    cpu: SERVER_CPU,
    tsig: ctx.creds.tsig,
  };
}

/** Runs fn(server) with `kind` started; stops it whatever happens. */
export async function withServer(kind, opts, fn) {
  const server = await startServer(kind, opts);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** The correctness check before measuring: one A, one AAAA and one NXDOMAIN of the zone. */
function checkCases(index) {
  return [
    { name: zone.hostName(index), type: "A", value: zone.aValue(index) },
    { name: zone.hostName(index), type: "AAAA", value: zone.aaaaValue(index) },
    { name: zone.missingName(1), type: "A", value: null },
  ];
}

export async function mustAnswer(server, index) {
  if (server.kind === "echo") return;
  const wrong = await checkAnswers(server.port, checkCases(index));
  if (wrong !== null) throw new Error(`answers wrongly, not measured: ${wrong}`);
}

/** dnsperf `runs` times against `server`; CPU per query from the server's /proc CPU time over each run. */
export async function measure(server, { file, runs, seconds, loadCpu }) {
  if (CONFIG.warmupSeconds > 0) {
    await runDnsperf({
      port: server.port,
      file,
      seconds: CONFIG.warmupSeconds,
      outstanding: CONFIG.outstanding,
      cpu: loadCpu,
    });
  }
  const samples = [];
  for (let r = 1; r <= runs; r++) {
    const cpu0 = cpuSeconds(server.pid);
    const res = await runDnsperf({
      port: server.port,
      file,
      seconds,
      outstanding: CONFIG.outstanding,
      cpu: loadCpu,
    });
    const cpu1 = cpuSeconds(server.pid);
    if (!server.alive()) {
      progress(`${server.kind} died; the end of its output:\n${server.log().slice(-3000)}`);
      throw new Error(`died while measured: ${server.exitInfo()}`);
    }
    const cpuUs = ((cpu1 - cpu0) / Math.max(1, res.completed)) * 1e6;
    progress(
      `  ${server.kind} run ${r}/${runs}: ${res.qps.toFixed(0)} q/s, ${cpuUs.toFixed(1)} µs CPU/query, ${res.lost} lost`,
    );
    samples.push({ ...res, cpuUs });
  }
  return {
    qps: summarize(samples.map((s) => s.qps)),
    cpuUs: summarize(samples.map((s) => s.cpuUs)),
    lost: samples.reduce((a, s) => a + s.lost, 0),
    responseBytes: samples.at(-1)?.responseBytes,
    rcodes: samples.at(-1)?.rcodes,
    memory: memoryMiB(server.pid),
  };
}

export async function workersSupported() {
  try {
    const help = execFileSync(
      process.execPath,
      [fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url)), "serve", "--help-config"],
      {
        encoding: "utf8",
        env: { ...process.env, BEACON_CONFIG: "" },
      },
    );
    return /^dns\.workers\s/m.test(help);
  } catch {
    return false;
  }
}
