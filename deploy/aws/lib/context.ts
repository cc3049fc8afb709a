// The app's settings, read from CDK context (`-c key=value` on the command line, or cdk.json):
//   zones               required, `zone=HOSTEDZONEID[,…]` (lib/zones.ts)
//   code                Beacon's Lambda bundle directory; default the repository's dist-lambda/
//   stackName           default Beacon
//   reservedConcurrency a whole number ≥ 1, or `off`; default 10
//   frontDoor           function-url (default) or http-api
//   auth                NONE (default) or AWS_IAM
//   awsSample           true to serve the AWS sample's protocol (migrating from it); default false
//   logRetentionDays    one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, …); default 30
// Promises: returns settings the stack accepts, or throws an Error naming the key, the bad value and
// what would be right. Values from the command line arrive as strings, from cdk.json as JSON values:
// both are accepted.

import { existsSync, readdirSync } from "node:fs";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Auth, FrontDoor } from "./beacon-stack.js";
import { parseZones, type HostedZone } from "./zones.js";

export interface AppSettings {
  readonly stackName: string;
  readonly codeDir: string;
  readonly zones: HostedZone[];
  readonly reservedConcurrency: number | false;
  readonly frontDoor: FrontDoor;
  readonly auth: Auth;
  readonly logRetention: RetentionDays;
  readonly awsSample: boolean;
}

export function readContext(get: (key: string) => unknown, defaultCodeDir: string): AppSettings {
  const zones = parseZones(get("zones"));
  const codeDir = text(get("code")) ?? defaultCodeDir;
  if (!existsSync(codeDir) || !readdirSync(codeDir).some((f) => /^index\.[cm]?js$/.test(f))) {
    throw new Error(
      `code: no index.js or index.mjs in ${codeDir}: run \`npm run build:lambda\` at the repository root`,
    );
  }
  return {
    stackName: text(get("stackName")) ?? "Beacon",
    codeDir,
    zones,
    reservedConcurrency: concurrency(get("reservedConcurrency")),
    frontDoor: oneOf("frontDoor", get("frontDoor"), ["function-url", "http-api"] as const),
    auth: oneOf("auth", get("auth"), ["NONE", "AWS_IAM"] as const),
    logRetention: retention(get("logRetentionDays")),
    awsSample: oneOf("awsSample", get("awsSample"), ["false", "true"] as const) === "true",
  };
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null || value === "" ? undefined : String(value);
}

function concurrency(value: unknown): number | false {
  const s = text(value);
  if (s === undefined) return 10;
  if (s === "off" || s === "false") return false;
  if (!/^[1-9][0-9]{0,4}$/.test(s))
    throw new Error(`reservedConcurrency: "${s}" is not a whole number ≥ 1 or "off"`);
  return Number(s);
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  const s = text(value) ?? allowed[0]!;
  if (!(allowed as readonly string[]).includes(s))
    throw new Error(`${key}: "${s}" is not one of ${allowed.join(", ")}`);
  return s as T;
}

function retention(value: unknown): RetentionDays {
  const s = text(value);
  if (s === undefined) return RetentionDays.ONE_MONTH;
  const days = Object.values(RetentionDays).filter((d): d is number => typeof d === "number");
  if (!/^[0-9]+$/.test(s) || !days.includes(Number(s))) {
    throw new Error(`logRetentionDays: "${s}" is not one of ${days.sort((a, b) => a - b).join(", ")}`);
  }
  return Number(s) as RetentionDays;
}
