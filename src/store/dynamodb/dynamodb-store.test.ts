// The DynamoDB store against dynalite in process: the store contract suites of the ports it has, a
// fresh table per test. Tokens and limits (the store-rest helper's modules, not wired in yet) come from
// the memory store here, so the suites that create tokens run too and check that deleting a host
// revokes its tokens through `hostDeleted`.

import type { Server } from "node:http";

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";

import { createMemoryLimits } from "../memory/limits.js";
import { createMemoryTokens } from "../memory/tokens.js";
import type { Store } from "../ports.js";
import { commitContract } from "../testing/commit-contract.js";
import { copiesContract } from "../testing/copies-contract.js";
import { historyContract } from "../testing/history-contract.js";
import { historyListContract } from "../testing/history-list-contract.js";
import { hostsContract } from "../testing/hosts-contract.js";
import { lifecycleContract } from "../testing/lifecycle-contract.js";
import { mirrorContract } from "../testing/mirror-contract.js";
import { zonesContract } from "../testing/zones-contract.js";
import { createDynamoTable, openDynamoStore, type RestPorts } from "./dynamodb-store.js";

let server: Server;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" },
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The store-rest ports from the memory store; hosts for flags are not checked here. */
function memoryRest(): RestPorts {
  const { revokeHostTokens, ...tokens } = createMemoryTokens(() => undefined);
  const { dropHost, ...limits } = createMemoryLimits(
    () => undefined,
    () => true,
  );
  const none = () => Promise.reject(new Error("not used by these suites"));
  return {
    ...tokens,
    ...limits,
    putSampleCredential: none,
    getSampleCredential: none,
    listSampleCredentials: none,
    deleteSampleCredential: none,
    touchSampleCredential: none,
    hostDeleted: (hosts, at) => {
      for (const h of hosts) {
        revokeHostTokens(h.id, at);
        dropHost(h.fqdn);
      }
      return Promise.resolve();
    },
  };
}

/** A store on a new, empty table. */
async function freshStore(): Promise<Store> {
  const table = `beacon-test-${++tables}`;
  await createDynamoTable(client, table);
  return openDynamoStore({ client, table, rest: memoryRest() });
}

describe("Store contract: dynamodb (dynalite)", () => {
  let store: Store;
  beforeEach(async () => {
    store = await freshStore();
  });
  afterEach(async () => {
    await store.close();
  });

  const get = () => store;
  zonesContract(get);
  hostsContract(get);
  commitContract(get);
  historyListContract(get);
  copiesContract(get);
  historyContract(get);
  mirrorContract(get);
  lifecycleContract(get);
});
