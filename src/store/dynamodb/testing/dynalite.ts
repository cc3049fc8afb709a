// dynalite (DynamoDB in process, loopback only) for the DynamoDB store's tests: start it once per
// file, make a fresh table per test, stop it after. A table made another way is usable once
// `waitActive` resolves (dynalite makes it ACTIVE a moment after CreateTable answers).

import type { Server } from "node:http";

import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";

import { createDynamoTable } from "../table.js";

export interface Dynalite {
  readonly client: DynamoDBClient;
  /** http://127.0.0.1:<port>, for clients made elsewhere (the CLI, the Lambda function). */
  readonly endpoint: string;
  /** Creates a new, empty table and resolves with its name. */
  newTable(): Promise<string>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" },
  });
  let tables = 0;
  return {
    client,
    endpoint,
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

/** Resolves once the table is ACTIVE (bounded: rejects after about 2 s). */
export async function waitActive(client: DynamoDBClient, table: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: table }));
    if (out.Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${table} did not become ACTIVE`);
}
