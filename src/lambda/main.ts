// The module AWS Lambda loads (handler `index.handler` in the bundle, scripts/build-lambda.mjs): the
// Lambda function over the DynamoDB store, composed on the first invocation (start.ts).

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BeaconError } from "../core/errors.js";
import { openDynamoStore } from "../store/dynamodb/dynamodb-store.js";
import { unacknowledged } from "./unacknowledged.js";
import { startLambda } from "./start.js";

/** Set by the bundler (esbuild `define`); "dev" when run from the sources. */
declare const BEACON_VERSION: string | undefined;

export const handler = startLambda({
  env: process.env,
  version: typeof BEACON_VERSION === "string" ? BEACON_VERSION : "dev",
  // TODO(merge i17-ack): pass { acknowledgeUpdates } from "../services/acknowledged-updates.js" and
  // { drainAll } from "../services/mirror/drain.js" instead.
  ack: unacknowledged,
  openStore: () => {
    // TODO(merge i17-ddb2): the table, region and endpoint from config.store (store.dynamodb_table…).
    const table = process.env["BEACON_STORE_DYNAMODB_TABLE"];
    if (table === undefined || table === "")
      throw new BeaconError("config_invalid", "set store.dynamodb_table (BEACON_STORE_DYNAMODB_TABLE)");
    return openDynamoStore({ client: new DynamoDBClient({}), table });
  },
});
