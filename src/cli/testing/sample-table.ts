// Test-only: dynalite in process holding a table shaped like the AWS sample's (partition key
// `hostname` only), for the import's reader and command tests.

import { CreateTableCommand, PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { startDynalite, waitActive } from "../../store/dynamodb/testing/dynalite.js";

export const TEST_CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "x" };
export const TEST_REGION = "us-east-1";

export interface SampleTableServer {
  readonly endpoint: string;
  /** Creates a table of the sample's shape and puts these items into it. */
  createTable(name: string, items: readonly Record<string, AttributeValue>[]): Promise<void>;
  close(): Promise<void>;
}

export async function startSampleTableServer(): Promise<SampleTableServer> {
  const dyn = await startDynalite();
  const { client, endpoint } = dyn;
  return {
    endpoint,
    async createTable(name, items) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: "hostname", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "hostname", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      await waitActive(client, name);
      for (const Item of items) await client.send(new PutItemCommand({ TableName: name, Item }));
    },
    close: () => dyn.stop(),
  };
}

/** An item as the sample's newrecord.py writes it. */
export function sampleItem(hostname: string, secret: string, ttl = 60): Record<string, AttributeValue> {
  return {
    hostname: { S: hostname },
    data: {
      S: JSON.stringify({
        route_53_zone_id: "Z0123456789ABC",
        route_53_record_ttl: ttl,
        shared_secret: secret,
      }),
    },
  };
}
