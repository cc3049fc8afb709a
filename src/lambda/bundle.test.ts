// The Lambda bundle (scripts/build-lambda.mjs): no native module gets in, and the built file loads
// and answers a fixture event. Built into a temp dir with esbuild (a second or two each).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script without types
import { buildLambda } from "../../scripts/build-lambda.mjs";

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { bytes: number }>;
}
const build = buildLambda as (o: { entry: string; outdir: string; external?: string[] }) => Promise<Metafile>;

const NATIVE = /node_modules\/(better-sqlite3|pg|pg-native|classic-level|bindings|node-gyp-build)\//;
const dir = mkdtempSync(join(tmpdir(), "beacon-lambda-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the Lambda bundle", () => {
  it("main.ts: no SQLite, PostgreSQL or other native module among its inputs", async () => {
    // Until the DynamoDB store is merged its module is absent: left out of the build, not failed on.
    const store = "src/store/dynamodb/dynamodb-store.ts";
    const external = existsSync(store) ? [] : ["../store/dynamodb/dynamodb-store.js"];
    const meta = await build({ entry: "src/lambda/main.ts", outdir: join(dir, "main"), external });
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain("src/lambda/handler.ts");
    expect(inputs.filter((i) => NATIVE.test(i))).toEqual([]);
    expect(inputs.filter((i) => /src\/store\/(sqlite|postgres)\//.test(i))).toEqual([]);
  }, 60_000);

  it("the built file loads and answers fixture events (memory store entry)", async () => {
    const meta = await build({ entry: "src/lambda/testing/memory-main.ts", outdir: join(dir, "memory") });
    expect(Object.keys(meta.inputs).filter((i) => NATIVE.test(i))).toEqual([]);
    const mod = (await import(pathToFileURL(join(dir, "memory", "index.mjs")).href)) as {
      handler: (e: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const ip = await mod.handler({
      version: "2.0",
      rawPath: "/ip",
      rawQueryString: "",
      headers: { "user-agent": "test", "x-forwarded-for": "203.0.113.9" },
      requestContext: { http: { method: "GET", sourceIp: "81.2.69.142" }, stage: "$default" },
      isBase64Encoded: false,
    });
    expect([ip.statusCode, ip.body]).toEqual([200, "81.2.69.142\n"]);
    const bad = await mod.handler({ rawPath: "/ip" });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: "bad_request" });
  }, 60_000);
});
