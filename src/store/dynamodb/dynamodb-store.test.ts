// The DynamoDB store against dynalite in process: the store contract suites of the ports it has, a
// fresh table per test (tokens, limits and sample credentials included, so deleting a host is seen to
// revoke its tokens and void its flag).

import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { Store } from "../ports.js";
import { commitContract } from "../testing/commit-contract.js";
import { copiesContract } from "../testing/copies-contract.js";
import { historyContract } from "../testing/history-contract.js";
import { historyListContract } from "../testing/history-list-contract.js";
import { hostsContract } from "../testing/hosts-contract.js";
import { lifecycleContract } from "../testing/lifecycle-contract.js";
import { limitsContract } from "../testing/limits-contract.js";
import { tokensContract } from "../testing/tokens-contract.js";
import { mirrorContract } from "../testing/mirror-contract.js";
import { zonesContract } from "../testing/zones-contract.js";
import { batch, expectCode, historyFixture, seedExampleZones, setA, T0 } from "../testing/fixtures.js";
import { createDynamoTable, openDynamoStore } from "./dynamodb-store.js";
import { startDynalite, type Dynalite } from "./testing/dynalite.js";

let dyn: Dynalite;

beforeAll(async () => {
  dyn = await startDynalite();
});

afterAll(async () => {
  await dyn.stop();
});

/** A store on a new, empty table. */
async function freshStore(): Promise<Store> {
  return openDynamoStore({ client: dyn.client, table: await dyn.newTable() });
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
  tokensContract(get);
  limitsContract(get);
  hostsContract(get);
  commitContract(get);
  historyListContract(get);
  copiesContract(get);
  historyContract(get);
  mirrorContract(get);
  lifecycleContract(get);
});

describe("DynamoDB store specifics", () => {
  it("takes hostile limits and cursors as the memory store does", async () => {
    const store = await freshStore();
    await seedExampleZones(store);
    await store.createMirror({
      id: "m1",
      zone: "example.com",
      provider: "route53",
      settings: {},
      createdAt: T0,
    });
    await store.commit(batch([setA("a.example.com", ["192.0.2.1"])], [historyFixture("a.example.com")]));
    for (const limit of [Infinity, 1e12]) {
      expect(await store.listHistory("a.example.com", { limit })).toHaveLength(1);
      expect(await store.pendingOutbox("m1", limit)).toHaveLength(1);
    }
    for (const limit of [NaN, -1, 0, 0.5]) {
      expect(await store.listHistory("a.example.com", { limit })).toEqual([]);
      expect(await store.pendingOutbox("m1", limit)).toEqual([]);
    }
    expect(await store.listHistory("a.example.com", { before: NaN })).toHaveLength(1);
    expect(await store.listHistory("a.example.com", { before: -5 })).toEqual([]);
    expect(await store.ackOutbox("m1", [NaN, -1, 1.5, Number.MAX_VALUE], T0)).toBe(true);
    expect(await store.pendingOutbox("m1", 10)).toHaveLength(1);
    expect(await store.pruneHistory(T0 + 10_000, Infinity)).toBe(1);
    expect(await store.pruneHistory(T0 + 10_000, NaN)).toBe(0);
  });

  it("creates the table with the key schema and billing the CDK stack uses, and refuses it twice", async () => {
    const table = await dyn.newTable();
    const { Table } = await dyn.client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    await expectCode(createDynamoTable(dyn.client, table), "store_unavailable");
  });
});
