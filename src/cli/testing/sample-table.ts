// Test-only: dynalite in process holding a table shaped like the AWS sample's (partition key
// `hostname` only), for the import's reader and command tests. dynalite ships no types; it is loaded
// through a computed specifier so no declaration is needed.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";

export const TEST_CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "x" };
export const TEST_REGION = "us-east-1";

export interface SampleTableServer {
  readonly endpoint: string;
  /** Creates a table of the sample's shape and puts these items into it. */
  createTable(name: string, items: readonly Record<string, AttributeValue>[]): Promise<void>;
  close(): Promise<void>;
}

export async function startSampleTableServer(): Promise<SampleTableServer> {
  const specifier = "dynalite";
  const { default: dynalite } = (await import(specifier)) as {
    default: (opts: Record<string, number>) => Server;
  };
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
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
      for (const Item of items) await client.send(new PutItemCommand({ TableName: name, Item }));
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
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
