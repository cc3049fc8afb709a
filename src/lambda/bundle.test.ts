// The Lambda bundle (scripts/build-lambda.mjs): no native module gets in, and the built file, loaded
// as Lambda loads it with its settings in the environment (this file's process is the function's),
// composes over DynamoDB (dynalite) and answers fixture events. Built into a temp dir with esbuild.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script without types
import { buildLambda } from "../../scripts/build-lambda.mjs";
import { openDynamoStore } from "../store/dynamodb/dynamodb-store.js";
import { startDynalite, type Dynalite } from "../store/dynamodb/testing/dynalite.js";

interface Metafile {
  inputs: Record<string, unknown>;
}
type Handler = (e: unknown) => Promise<{ statusCode: number; body: string }>;

const build = buildLambda as (o: { outdir: string }) => Promise<Metafile>;
const NATIVE = /node_modules\/(better-sqlite3|pg|pg-native|classic-level|bindings|node-gyp-build)\//;
const dir = mkdtempSync(join(tmpdir(), "beacon-lambda-bundle-"));
let dynamo: Dynalite;
let table: string;
let meta: Metafile;

beforeAll(async () => {
  meta = await build({ outdir: dir });
  dynamo = await startDynalite();
  table = await dynamo.newTable();
  const ep = await dynamo.client.config.endpoint?.();
  Object.assign(process.env, {
    BEACON_STORE_DYNAMODB_TABLE: table,
    BEACON_STORE_DYNAMODB_REGION: "us-east-1",
    BEACON_STORE_DYNAMODB_ENDPOINT: `${ep?.protocol}//${ep?.hostname}:${ep?.port}`,
    BEACON_SERVERLESS_ROUTE53_ZONES: "dyn.example.com=Z0123456789ABC",
    BEACON_LOG_LEVEL: "warn",
    AWS_ACCESS_KEY_ID: "AKIDTEST",
    AWS_SECRET_ACCESS_KEY: "x",
  });
}, 60_000);
afterAll(async () => {
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const v2 = (rawPath: string, headers: Record<string, string> = {}) => ({
  version: "2.0",
  rawPath,
  rawQueryString: "",
  headers: { "user-agent": "test", ...headers },
  requestContext: { http: { method: "GET", sourceIp: "81.2.69.142" }, stage: "$default" },
  isBase64Encoded: false,
});

describe("the Lambda bundle", () => {
  it("has no SQLite, PostgreSQL or other native module among its inputs", () => {
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain("src/lambda/main.ts");
    expect(inputs).toContain("src/store/dynamodb/dynamodb-store.ts");
    expect(inputs.filter((i) => NATIVE.test(i))).toEqual([]);
    expect(inputs.filter((i) => /src\/store\/(sqlite|postgres)\//.test(i))).toEqual([]);
  });

  it("loads, composes over DynamoDB at the first event and answers fixture events", async () => {
    const { handler } = (await import(pathToFileURL(join(dir, "index.mjs")).href)) as { handler: Handler };
    const ip = await handler(v2("/ip", { "x-forwarded-for": "203.0.113.9" }));
    expect([ip.statusCode, ip.body]).toEqual([200, "81.2.69.142\n"]);
    const update = await handler(v2("/nic/update", { authorization: `Basic ${btoa("a:tk_aaaaaaaaaa.x")}` }));
    expect([update.statusCode, update.body]).toEqual([401, "badauth"]);
    const bad = await handler({ rawPath: "/ip" });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: "bad_request" });
    // The cold start created the configured zone's Route 53 mirror in the table.
    const store = openDynamoStore({ client: dynamo.client, table });
    expect((await store.getMirror("route53-dyn-example-com"))?.settings).toEqual({
      hosted_zone_id: "Z0123456789ABC",
    });
  }, 30_000);
});
