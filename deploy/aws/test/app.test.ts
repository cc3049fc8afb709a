// The app entry (bin/beacon.ts) synthesized in process the way the cdk CLI runs it (context and output
// directory in CDK_CONTEXT_JSON / CDK_OUTDIR), and the context it accepts. Skips loudly without
// deploy/aws/node_modules (support/installed.ts).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cdkInstalled, SKIP_REASON } from "./support/installed.js";

const cdk = cdkInstalled() ? await import("./support/cdk.js") : undefined;

if (cdk === undefined) {
  it.skip(SKIP_REASON, () => {});
} else {
  const { readContext, RetentionDays } = cdk;
  const work = mkdtempSync(join(tmpdir(), "beacon-cdk-"));
  const code = join(work, "dist-lambda");
  mkdirSync(code);
  writeFileSync(join(code, "index.mjs"), "export const handler = async () => ({ statusCode: 200 });\n");
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const context = (values: Record<string, unknown>) => (key: string) => values[key];
  const ZONES = "dyn.example.com=Z0123456789ABC";

  describe("the app entry", () => {
    it("synthesizes the Beacon stack from context, with the bundle as the function's asset", async () => {
      const outdir = join(work, "cdk.out");
      const saved = { json: process.env["CDK_CONTEXT_JSON"], outdir: process.env["CDK_OUTDIR"] };
      process.env["CDK_CONTEXT_JSON"] = JSON.stringify({ zones: ZONES, code, reservedConcurrency: "5" });
      process.env["CDK_OUTDIR"] = outdir;
      try {
        await import("../bin/beacon.js");
      } finally {
        for (const [key, value] of [
          ["CDK_CONTEXT_JSON", saved.json],
          ["CDK_OUTDIR", saved.outdir],
        ] as const) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
      const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
        artifacts: Record<string, { type: string }>;
      };
      expect(manifest.artifacts["Beacon"]?.type).toBe("aws:cloudformation:stack");
      const template = JSON.parse(readFileSync(join(outdir, "Beacon.template.json"), "utf8")) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      const fn = Object.values(template.Resources).find((r) => r.Type === "AWS::Lambda::Function");
      expect(fn?.Properties).toMatchObject({
        ReservedConcurrentExecutions: 5,
        Environment: { Variables: { BEACON_SERVERLESS_ROUTE53_ZONES: ZONES } },
      });
      const key = String((fn?.Properties["Code"] as { S3Key: string }).S3Key).replace(/\.zip$/, "");
      expect(existsSync(join(outdir, `asset.${key}`, "index.mjs"))).toBe(true);
    });
  });

  describe("readContext", () => {
    it("defaults everything but the zones, and takes values from the command line or cdk.json", () => {
      expect(readContext(context({ zones: ZONES }), code)).toEqual({
        stackName: "Beacon",
        codeDir: code,
        zones: [{ zone: "dyn.example.com", hostedZoneId: "Z0123456789ABC" }],
        reservedConcurrency: 10,
        frontDoor: "function-url",
        auth: "NONE",
        logRetention: RetentionDays.ONE_MONTH,
        awsSample: false,
      });
      const given = { zones: ZONES, code, stackName: "Dyn", frontDoor: "http-api", auth: "AWS_IAM" };
      expect(
        readContext(context({ ...given, reservedConcurrency: "off", logRetentionDays: "7" }), "/none"),
      ).toMatchObject({
        stackName: "Dyn",
        codeDir: code,
        frontDoor: "http-api",
        auth: "AWS_IAM",
        reservedConcurrency: false,
        logRetention: RetentionDays.ONE_WEEK,
      });
      expect(
        readContext(
          context({ zones: ZONES, reservedConcurrency: 20, logRetentionDays: 90, awsSample: true }),
          code,
        ),
      ).toMatchObject({
        awsSample: true,
        reservedConcurrency: 20,
        logRetention: RetentionDays.THREE_MONTHS,
      });
    });

    it.each([
      [{}, /zones: give at least one hosted zone/],
      [{ zones: "dyn.example.com" }, /is not zone=HOSTEDZONEID/],
      [{ zones: ZONES, code: join(work, "missing") }, /run `npm run build:lambda`/],
      [{ zones: ZONES, code: work }, /no index.js or index.mjs/],
      [{ zones: ZONES, reservedConcurrency: "0" }, /reservedConcurrency: "0"/],
      [{ zones: ZONES, reservedConcurrency: "-1" }, /reservedConcurrency/],
      [{ zones: ZONES, reservedConcurrency: "ten" }, /reservedConcurrency/],
      [{ zones: ZONES, reservedConcurrency: 2.5 }, /reservedConcurrency/],
      [{ zones: ZONES, frontDoor: "alb" }, /frontDoor: "alb" is not one of function-url, http-api/],
      [{ zones: ZONES, auth: "iam" }, /auth: "iam" is not one of NONE, AWS_IAM/],
      [{ zones: ZONES, logRetentionDays: "31" }, /logRetentionDays: "31" is not one of 1, 3, 5/],
      [{ zones: ZONES, logRetentionDays: "ONE_MONTH" }, /logRetentionDays/],
      [{ zones: ZONES, awsSample: "yes" }, /awsSample: "yes" is not one of false, true/],
    ])("rejects %j", (values, message) => {
      expect(() => readContext(context(values), code)).toThrow(message);
    });
  });
}
