// The one DynamoDB table of the serverless edition: its key schema, the keys this store's items live
// under, and the single place SDK calls are made (`call`), which turns every SDK failure except an
// expected conditional check into BeaconError("store_unavailable").
//
// Table: partition key `pk` (S), sort key `sk` (S), TTL on `ttl` (N, epoch seconds), on-demand.
// Items of this store (attributes, documented once: `cv` N, the commit version that last wrote the
// item; `d` S, the record as JSON; `ttl` N, on tombstones only):
//   COMMIT / HEAD            the commit log's head (commit-log.ts): v, h, i, o counters, p pending batch
//   ZONES / <zone>           a zone
//   HOST#<fqdn> / HOST       a host, with `id` N (others read it to check a host exists)
//   ZONE#<zone> / H#<fqdn>   the host again, to list a zone's hosts with one query
//   ZONE#<zone> / S#<fqdn>#<type>   a record set
//   HIST#<fqdn> / <id>       a history entry (ids zero-padded, so sk order is id order)
//   HISTORY / <id>           its index row: fqdn, zone, lastAt (pruning, zone cascade)
//   MIRRORS / <id>           a mirror with its delivery state and lease
//   OUTBOX#<mirror> / <seq>  an outbox row
// A deleted item is a tombstone (pk, sk, cv, ttl; no `d`, no `id`): see commit-log.ts for why.

import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";

import { BeaconError } from "../../core/errors.js";
import { systemTimers, type Timers } from "../../core/timers.js";

/** How often createDynamoTable checks that a new table is active, at most how long apart (~5 minutes). */
const ACTIVE_CHECKS = 155;
const ACTIVE_CHECK_MS = 2000;

/** What this store uses of a client: tests inject one that fails on purpose. */
export type Dynamo = Pick<DynamoDBClient, "send">;

export const HEAD_KEY = { pk: "COMMIT", sk: "HEAD" } as const;

export const keys = {
  zone: (name: string) => ({ pk: "ZONES", sk: name }),
  host: (fqdn: string) => ({ pk: `HOST#${fqdn}`, sk: "HOST" }),
  zoneHost: (zone: string, fqdn: string) => ({ pk: `ZONE#${zone}`, sk: `H#${fqdn}` }),
  rrset: (zone: string, fqdn: string, type: string) => ({ pk: `ZONE#${zone}`, sk: `S#${fqdn}#${type}` }),
  history: (fqdn: string, id: number) => ({ pk: `HIST#${fqdn}`, sk: pad(id) }),
  historyIndex: (id: number) => ({ pk: "HISTORY", sk: pad(id) }),
  mirror: (id: string) => ({ pk: "MIRRORS", sk: id }),
  outbox: (mirror: string, seq: number) => ({ pk: `OUTBOX#${mirror}`, sk: pad(seq) }),
};

export interface Key {
  readonly pk: string;
  readonly sk: string;
}

/** Sixteen digits: every safe integer id sorts as a string in number order. */
export function pad(n: number): string {
  return String(n).padStart(16, "0");
}

/** The SDK error name of a failed conditional write (expected: the caller decides). */
export const CONDITION_FAILED = "ConditionalCheckFailedException";

export function isConditionFailed(e: unknown): boolean {
  return e instanceof Error && e.name === CONDITION_FAILED;
}

/** Runs one SDK call; a conditional failure is rethrown as is, any other error is store_unavailable. */
export async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isConditionFailed(e)) throw e;
    const name = e instanceof Error ? e.name : "error";
    throw new BeaconError("store_unavailable", `DynamoDB ${what} failed (${name})`, { cause: e });
  }
}

/**
 * Creates the table (pk/sk strings, on-demand), waits until it is active (at most 5 minutes) and
 * turns TTL on for `ttl`. An emulator without UpdateTimeToLive (dynalite) keeps its tombstones:
 * reads skip them anyway. For tests and tooling; the CDK stack creates the table in deployments.
 */
export async function createDynamoTable(
  client: DynamoDBClient,
  table: string,
  timers: Timers = systemTimers,
): Promise<void> {
  await call("CreateTable", () =>
    client.send(
      new CreateTableCommand({
        TableName: table,
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
    ),
  );
  for (let check = 1; ; check++) {
    const out = await call("DescribeTable", () =>
      client.send(new DescribeTableCommand({ TableName: table })),
    );
    if (out.Table?.TableStatus === "ACTIVE") break;
    if (check >= ACTIVE_CHECKS)
      throw new BeaconError("store_unavailable", `table ${table} is not active yet`);
    await new Promise<void>((resolve) =>
      timers.setTimeout(resolve, Math.min(ACTIVE_CHECK_MS, 25 * 2 ** check)),
    );
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
      }),
    );
  } catch (e) {
    if (!(e instanceof Error && e.name === "UnknownOperationException")) {
      throw new BeaconError("store_unavailable", "DynamoDB UpdateTimeToLive failed", { cause: e });
    }
  }
}
