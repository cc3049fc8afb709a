// The sample's table read from dynalite in process: every page of a paginated Scan, attribute
// types other than a string turned into values the import service names (a number, a map, a list,
// a boolean), no `data` attribute, and the errors: a missing table, an endpoint nobody listens on.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBeaconError } from "../core/errors.js";
import { readSampleTable } from "./aws-sample-table.js";
import {
  sampleItem,
  startSampleTableServer,
  TEST_CREDENTIALS,
  TEST_REGION,
  type SampleTableServer,
} from "./testing/sample-table.js";

describe("readSampleTable", () => {
  let dynamo: SampleTableServer;
  beforeAll(async () => {
    dynamo = await startSampleTableServer();
  });
  afterAll(async () => {
    await dynamo.close();
  });
  const source = (table: string, pageSize?: number) => ({
    table,
    endpoint: dynamo.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    pageSize,
  });

  it("reads every page of the table and reports progress between pages", async () => {
    const items = Array.from({ length: 7 }, (_, i) => sampleItem(`h${i}.example.com`, `secret-${i}`));
    await dynamo.createTable("paged", items);
    const pages: number[] = [];
    const read = await readSampleTable(source("paged", 3), (n) => pages.push(n));
    expect(read.map((i) => i.hostname).sort()).toEqual(items.map((i) => i["hostname"]?.S).sort());
    const first = read.find((i) => i.hostname === "h0.example.com");
    expect(JSON.parse(String(first?.data))).toMatchObject({
      shared_secret: "secret-0",
      route_53_record_ttl: 60,
    });
    expect(pages).toEqual([3, 6]);
  });

  it("hands over other attribute types as values, and an absent data as undefined", async () => {
    await dynamo.createTable("odd", [
      { hostname: { S: "n.example.com" }, data: { N: "42" } },
      { hostname: { S: "m.example.com" }, data: { M: { shared_secret: { S: "x" } } } },
      { hostname: { S: "l.example.com" }, data: { L: [{ S: "x" }] } },
      { hostname: { S: "b.example.com" }, data: { BOOL: true } },
      { hostname: { S: "none.example.com" }, other: { S: "x" } },
    ]);
    const read = new Map((await readSampleTable(source("odd"))).map((i) => [i.hostname, i.data]));
    expect(Object.fromEntries(read)).toEqual({
      "n.example.com": 42,
      "m.example.com": {},
      "l.example.com": [],
      "b.example.com": true,
      "none.example.com": undefined,
    });
  });

  it("names the table when it does not exist, and the endpoint when nothing answers", async () => {
    const missing = await readSampleTable(source("nope")).catch((e: unknown) => e);
    expect(isBeaconError(missing) && missing.code).toBe("not_found");
    expect(String((missing as Error).message)).toContain("no table nope (region us-east-1)");

    const closed = await readSampleTable({ ...source("paged"), endpoint: "http://127.0.0.1:9" }).catch(
      (e: unknown) => e,
    );
    expect(isBeaconError(closed) && closed.code).toBe("network_error");
  });
});
