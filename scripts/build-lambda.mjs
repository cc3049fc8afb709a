// npm run build:lambda — the Lambda function as one file: dist-lambda/index.mjs (ESM, Node 22,
// minified, with index.mjs.map), its handler `index.handler` (src/lambda/main.ts).
//
// The AWS SDK is bundled (BEACON_LAMBDA_SDK=external leaves @aws-sdk/* to the runtime's copy): the
// measured cold start was shorter bundled (bench/lambda-cold-start.mjs), and the bundle then runs
// the SDK version Beacon pins and tested, not whichever the Lambda runtime ships (docs/serverless.md,
// "The bundle and the cold start").
// No native module may enter the bundle (better-sqlite3, pg, classic-level): the Lambda composition
// imports neither SQL store; src/lambda/bundle.test.ts checks the metafile.
//
// `buildLambda` is also used by that test and by bench/lambda-cold-start.mjs.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Builds `entry` (relative to the repository) into `outdir`/index.mjs; resolves esbuild's metafile. */
export async function buildLambda({
  entry = "src/lambda/main.ts",
  outdir = `${ROOT}dist-lambda`,
  sdk = "bundled",
  external = [],
} = {}) {
  const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8"));
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { index: entry },
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    minify: true,
    sourcemap: true,
    metafile: true,
    legalComments: "linked",
    logLevel: "warning",
    external: [...external, ...(sdk === "external" ? ["@aws-sdk/*", "@smithy/*"] : [])],
    define: { BEACON_VERSION: JSON.stringify(version) },
    // CommonJS dependencies call require(); an ESM bundle has none unless given one.
    banner: {
      js: 'import { createRequire as __beaconRequire } from "node:module"; const require = __beaconRequire(import.meta.url);',
    },
  });
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sdk = process.env.BEACON_LAMBDA_SDK === "external" ? "external" : "bundled";
  const metafile = await buildLambda({ sdk });
  for (const [file, out] of Object.entries(metafile.outputs))
    console.log(`${file}  ${(out.bytes / 1024).toFixed(0)} KiB`);
}
