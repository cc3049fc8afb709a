#!/usr/bin/env node
// The CDK app: `npx cdk synth|deploy -c zones=dyn.example.com=Z0123456789ABC` from deploy/aws runs this
// file (cdk.json). Settings come from CDK context (lib/context.ts); the Lambda code is Beacon's
// bundle, `npm run build:lambda` at the repository root, unless `-c code=<dir>` names another.

import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";
import { Code } from "aws-cdk-lib/aws-lambda";
import { BeaconStack } from "../lib/beacon-stack.js";
import { readContext } from "../lib/context.js";

try {
  const app = new App();
  const { stackName, codeDir, ...settings } = readContext(
    (key) => app.node.tryGetContext(key),
    fileURLToPath(new URL("../../../dist-lambda", import.meta.url)),
  );
  new BeaconStack(app, stackName, { ...settings, code: Code.fromAsset(codeDir) });
  app.synth();
} catch (error) {
  // A wrong setting is the operator's to fix: its message, not a stack trace.
  console.error(`Beacon CDK app: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
