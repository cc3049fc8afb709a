// The module AWS Lambda loads (handler `index.handler` in the bundle, scripts/build-lambda.mjs): the
// Lambda function over the DynamoDB store (store.dynamodb_table, its region and endpoint), with
// updates acknowledged once Route 53 took them, composed on the first invocation (start.ts). The
// DynamoDB client lives as long as the instance.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BeaconError } from "../core/errors.js";
import { acknowledgeUpdates } from "../services/acknowledged-updates.js";
import { drainAll } from "../services/mirror/drain.js";
import { openDynamoStore } from "../store/dynamodb/dynamodb-store.js";
import { startLambda } from "./start.js";

/** Set by the bundler (esbuild `define`); "dev" when run from the sources. */
declare const BEACON_VERSION: string | undefined;

export const handler = startLambda({
  env: process.env,
  version: typeof BEACON_VERSION === "string" ? BEACON_VERSION : "dev",
  ack: { acknowledgeUpdates, drainAll },
  openStore: (config) => {
    const target = config.store.dynamodb;
    if (target === undefined)
      throw new BeaconError("config_invalid", "set store.dynamodb_table (BEACON_STORE_DYNAMODB_TABLE)");
    const { region, endpoint } = target;
    const client = new DynamoDBClient({ region, ...(endpoint === undefined ? {} : { endpoint }) });
    return openDynamoStore({ client, table: target.table });
  },
});
