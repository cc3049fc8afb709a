// Whether deploy/aws has its own node_modules (aws-cdk-lib is 200 MB, so it is not in Beacon's). The
// root test run includes deploy/**/*.test.ts: without the install those tests skip with a loud
// reason, unless BEACON_REQUIRE_PEERS=1 (CI, which runs `npm ci --prefix deploy/aws`), where a
// missing install is a failure — same rule as test/e2e/support/peers.ts.

import { existsSync } from "node:fs";

export function cdkInstalled(): boolean {
  if (existsSync(new URL("../../node_modules/aws-cdk-lib/package.json", import.meta.url))) return true;
  const why = "deploy/aws/node_modules is missing: run `npm ci --prefix deploy/aws`";
  if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
  console.warn(`\n!!! SKIPPING the AWS CDK tests: ${why}\n`);
  return false;
}

/** The reason the skipped test carries. */
export const SKIP_REASON =
  "AWS CDK tests skipped: deploy/aws/node_modules is missing (npm ci --prefix deploy/aws)";
