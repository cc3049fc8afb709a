// For tests of the DynamoDB store's ports: dynalite in this process on 127.0.0.1:0, a client for it,
// and a fresh table per call of `table()` with the store's key schema (pk S, sk S; on-demand). dynalite
// has no TTL API (UpdateTimeToLive) and no TransactWriteItems; it ignores ConsistentRead (it is always
// consistent). Call `close()` in afterAll. The module has no types, so it is loaded with require.

import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";

type Dynalite = (opts: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

export interface LocalDynamo {
  readonly client: DynamoDBClient;
  /** Creates an empty table and resolves with its name. */
  table(): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalDynamo(): Promise<LocalDynamo> {
  const dynalite = createRequire(import.meta.url)("dynalite") as Dynalite;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" },
  });
  let n = 0;
  return {
    client,
    async table() {
      const name = `beacon-test-${++n}`;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [
            { AttributeName: "pk", AttributeType: "S" },
            { AttributeName: "sk", AttributeType: "S" },
          ],
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "sk", KeyType: "RANGE" },
          ],
        }),
      );
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
