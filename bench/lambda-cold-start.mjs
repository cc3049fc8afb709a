#!/usr/bin/env node
// BENCH_ONLY=lambda npm run bench (or `node bench/lambda-cold-start.mjs` alone) — the Lambda
// function's cold start as far as it can be measured here: the bundle built twice (AWS SDK bundled,
// and external as the Lambda runtime would provide it), then for each, in a fresh `node` process per
// run: the module load (import of index.mjs) and the first invocation (a dyndns2 request through the
// whole app; the first one also composes: settings, store, services), and for the external build the
// import of the SDK clients from node_modules that the runtime's copy would cost at the same moment.
// Medians over BENCH_LAMBDA_RUNS [7] runs; one more bundled run with --cpu-prof shows where the time
// goes (self time by script). Prints the bundle sizes and a JSON summary; writes no RESULTS.md.
//
// The entry is src/lambda/testing/memory-main.ts (the memory store) until the DynamoDB store is
// merged; BENCH_LAMBDA_ENTRY=src/lambda/main.ts measures the real one (it then needs DynamoDB).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildLambda } from "../scripts/build-lambda.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Runs in the fresh process: prints {loadMs, firstMs, sdkMs} as JSON. */
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
if (typeof r.statusCode !== "number") throw new Error("no HTTP result");
let sdkMs = 0;
if (process.argv[2] === "external") {
  const { createRequire } = await import("node:module");
  const require = createRequire(process.argv[3]);
  const s = performance.now();
  await import(require.resolve("@aws-sdk/client-dynamodb"));
  await import(require.resolve("@aws-sdk/client-route-53"));
  sdkMs = performance.now() - s;
}
console.log(JSON.stringify({ loadMs: t1 - t0, firstMs: t2 - t1, sdkMs }));
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const round = (x) => Math.round(x * 10) / 10;

function probe(file, sdk, extraArgs = [], cwd = ROOT) {
  const env = {
    ...process.env,
    BEACON_LOG_LEVEL: "warn",
    BEACON_SERVERLESS_ROUTE53_ZONES: "dyn.example.com=Z0123456789ABC",
  };
  const out = execFileSync(
    process.execPath,
    [...extraArgs, "--input-type=module", "-e", PROBE, file, sdk, `${ROOT}package.json`],
    { env, cwd, encoding: "utf8", timeout: 60_000 },
  );
  return JSON.parse(out.trim().split("\n").at(-1));
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

export async function benchLambda({ runs = 7, entry } = {}) {
  const work = mkdtempSync(join(tmpdir(), "beacon-bench-lambda-"));
  try {
    const variants = {};
    for (const sdk of ["bundled", "external"]) {
      const outdir = join(work, sdk);
      await buildLambda({ entry: entry ?? "src/lambda/testing/memory-main.ts", outdir, sdk });
      const file = join(outdir, "index.mjs");
      const samples = Array.from({ length: runs }, () => probe(file, sdk));
      const m = (k) => round(median(samples.map((s) => s[k])));
      variants[sdk] = {
        bundleKiB: Math.round(statSync(file).size / 1024),
        loadMs: m("loadMs"),
        firstInvocationMs: m("firstMs"),
        sdkImportMs: m("sdkMs"),
        totalMs: round(median(samples.map((s) => s.loadMs + s.firstMs + s.sdkMs))),
      };
      process.stderr.write(`bench: lambda ${sdk}: ${JSON.stringify(variants[sdk])}\n`);
    }
    const profDir = join(work, "prof");
    probe(join(work, "bundled", "index.mjs"), "bundled", ["--cpu-prof", `--cpu-prof-dir=${profDir}`]);
    const profile = join(profDir, readdirSync(profDir)[0]);
    const kept = join(tmpdir(), "beacon-lambda-cold-start.cpuprofile");
    writeFileSync(kept, readFileSync(profile));
    return { runs, variants, cpuProfile: kept, selfTime: selfTimeByScript(profile) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Math.max(1, Number(process.env.BENCH_LAMBDA_RUNS ?? 7));
  console.log(JSON.stringify(await benchLambda({ runs, entry: process.env.BENCH_LAMBDA_ENTRY }), null, 2));
}
