// dynalite (DynamoDB in process, loopback only) for the DynamoDB store's tests: start it once per
// file, make a fresh table per test, stop it after.

import type { Server } from "node:http";

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";

import { createDynamoTable } from "../table.js";

export interface Dynalite {
  readonly client: DynamoDBClient;
  /** Creates a new, empty table and resolves with its name. */
  newTable(): Promise<string>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" },
  });
  let tables = 0;
  return {
    client,
    async newTable() {
      const table = `beacon-test-${++tables}`;
      await createDynamoTable(client, table);
      return table;
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
