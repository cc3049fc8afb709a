// What the CDK tests use, in one module they import only once cdkInstalled() said yes: a static
// import of aws-cdk-lib would fail the whole file where deploy/aws/node_modules is missing.

export { App } from "aws-cdk-lib";
export { Template } from "aws-cdk-lib/assertions";
export { Code, Runtime } from "aws-cdk-lib/aws-lambda";
export { RetentionDays } from "aws-cdk-lib/aws-logs";
export { BeaconStack, TABLE_ACTIONS } from "../../lib/beacon-stack.js";
export { readContext } from "../../lib/context.js";
