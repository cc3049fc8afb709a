#!/usr/bin/env node
// BENCH_ONLY=lambda npm run bench (or `node bench/lambda-cold-start.mjs` alone) — the Lambda
// function's cold start as far as it can be measured here: the bundle (src/lambda/main.ts) built
// twice, with the AWS SDK bundled and with it external (resolved from node_modules, as the Lambda
// runtime's copy would be), then for each, in a fresh `node` process per run: the module load
// (import of index.mjs) and the first invocation (a dyndns2 request: the composition — settings,
// the DynamoDB store, limits, zones and mirrors read — then the token lookup). DynamoDB is dynalite in
// this process on loopback, so its calls cost a local round trip, not a network one.
// Medians over BENCH_LAMBDA_RUNS [7] runs; one more bundled run with --cpu-prof shows where the time
// goes (self time by script). Prints the bundle sizes and a JSON summary; writes no RESULTS.md.

import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoTable } from "../dist/store/dynamodb/table.js";
import { buildLambda } from "../scripts/build-lambda.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const TABLE = "beacon-bench";
const run = promisify(execFile);

/** Runs in the fresh process: prints {loadMs, firstMs} as JSON. */
const PROBE = `
const t0 = performance.now();
const { handler } = await import(process.argv[1]);
const t1 = performance.now();
const r = await handler({
  version: "2.0", routeKey: "$default", rawPath: "/nic/update", rawQueryString: "hostname=a.dyn.example.com",
  headers: { authorization: "Basic " + btoa("a.dyn.example.com:tk_aaaaaaaaaa.secret"), "user-agent": "bench/1" },
  requestContext: { http: { method: "GET", path: "/nic/update", sourceIp: "81.2.69.142" }, stage: "$default" },
  isBase64Encoded: false,
});
const t2 = performance.now();
if (r.statusCode !== 401) throw new Error("unexpected reply " + JSON.stringify(r));
console.log(JSON.stringify({ loadMs: t1 - t0, firstMs: t2 - t1 }));
`;

/** dynalite in this process with the function's table; stop() closes it. */
async function startDynamo() {
  const dynalite = createRequire(import.meta.url)("dynalite");
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "x" },
  });
  await createDynamoTable(client, TABLE);
  client.destroy();
  return { endpoint, stop: () => new Promise((resolve) => server.close(resolve)) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const round = (x) => Math.round(x * 10) / 10;

async function probe(file, endpoint, extraArgs = []) {
  const env = {
    ...process.env,
    BEACON_LOG_LEVEL: "warn",
    BEACON_SERVERLESS_ROUTE53_ZONES: "dyn.example.com=Z0123456789ABC",
    BEACON_STORE_DYNAMODB_TABLE: TABLE,
    BEACON_STORE_DYNAMODB_REGION: "us-east-1",
    BEACON_STORE_DYNAMODB_ENDPOINT: endpoint,
    AWS_ACCESS_KEY_ID: "AKIDBENCH",
    AWS_SECRET_ACCESS_KEY: "x",
  };
  const { stdout } = await run(process.execPath, [...extraArgs, "--input-type=module", "-e", PROBE, file], {
    env,
    cwd: ROOT,
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

/** Self time by script (a bundle is one script: its share is what loading Beacon costs). */
function selfTimeByScript(profileFile) {
  const p = JSON.parse(readFileSync(profileFile, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = p.timeDeltas;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const url = n.callFrame.url ? basename(n.callFrame.url) : n.callFrame.functionName || "(native)";
    self.set(url, (self.get(url) ?? 0) + (dt[i] ?? 0) / 1000);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([script, ms]) => ({ script, ms: round(ms) }));
}

export async function benchLambda({ runs = 7 } = {}) {
  // Inside the repository, so an external SDK resolves from its node_modules as the runtime's would.
  const work = join(ROOT, "bench", "out", "lambda");
  mkdirSync(work, { recursive: true });
  const dynamo = await startDynamo();
  try {
    const variants = {};
    for (const sdk of ["bundled", "external"]) {
      const outdir = join(work, sdk);
      await buildLambda({ outdir, sdk });
      const file = join(outdir, "index.mjs");
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await probe(file, dynamo.endpoint));
      const m = (f) => round(median(samples.map(f)));
      variants[sdk] = {
        bundleKiB: Math.round(statSync(file).size / 1024),
        loadMs: m((s) => s.loadMs),
        firstInvocationMs: m((s) => s.firstMs),
        totalMs: m((s) => s.loadMs + s.firstMs),
      };
      process.stderr.write(`bench: lambda ${sdk}: ${JSON.stringify(variants[sdk])}\n`);
    }
    const profDir = join(work, "prof");
    rmSync(profDir, { recursive: true, force: true });
    await probe(join(work, "bundled", "index.mjs"), dynamo.endpoint, [
      "--cpu-prof",
      `--cpu-prof-dir=${profDir}`,
    ]);
    const profile = join(profDir, readdirSync(profDir)[0]);
    const kept = join(tmpdir(), "beacon-lambda-cold-start.cpuprofile");
    writeFileSync(kept, readFileSync(profile));
    return { runs, variants, cpuProfile: kept, selfTime: selfTimeByScript(profile) };
  } finally {
    await dynamo.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Math.max(1, Number(process.env.BENCH_LAMBDA_RUNS ?? 7));
  console.log(JSON.stringify(await benchLambda({ runs }), null, 2));
}
