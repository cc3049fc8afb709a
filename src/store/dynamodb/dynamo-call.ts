// How the DynamoDB store's token, limit and sample-credential ports talk to the table: every SDK call
// goes through `attempt`, which turns any failure into BeaconError("store_unavailable", …, { cause })
// except the conditional failure a conditional write expects (a value, `conditionFailed`, not an
// exception); reads by key (`getOne`, `getMany`) and of a whole partition (`queryAll`), paging through;
// small codecs for the attribute values. Reads are strongly consistent: a port reads what it wrote.
// No table data goes into an error message, only the operation's name and the SDK's reason.

import {
  BatchGetItemCommand,
  GetItemCommand,
  QueryCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import type { Dynamo } from "./table.js";
import { BeaconError } from "../../core/errors.js";

/** One DynamoDB item as the SDK gives it. */
export type Item = Record<string, AttributeValue>;

/** What a conditional write resolves with when its condition did not hold. */
export const conditionFailed = Symbol("condition failed");

/** Runs `send`; any failure is store_unavailable naming `op`. */
export async function attempt<T>(op: string, send: () => Promise<T>): Promise<T> {
  const r = await attemptConditional(op, send);
  if (r === conditionFailed) throw unavailable(op, new Error("unexpected ConditionalCheckFailedException"));
  return r;
}

/** As attempt, but a ConditionalCheckFailedException resolves with `conditionFailed`. */
export async function attemptConditional<T>(
  op: string,
  send: () => Promise<T>,
): Promise<T | typeof conditionFailed> {
  try {
    return await send();
  } catch (e) {
    if (e instanceof Error && e.name === "ConditionalCheckFailedException") return conditionFailed;
    throw unavailable(op, e);
  }
}

function unavailable(op: string, e: unknown): BeaconError {
  const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new BeaconError("store_unavailable", `DynamoDB ${op} failed (${why})`, { cause: e });
}

/** The item with this key, or undefined. */
export async function getOne(client: Dynamo, table: string, op: string, k: Item): Promise<Item | undefined> {
  const r = await attempt(op, () =>
    client.send(new GetItemCommand({ TableName: table, Key: k, ConsistentRead: true })),
  );
  return r.Item;
}

/** Every item of partition `pk`, in sort-key order. */
export async function queryAll(client: Dynamo, table: string, op: string, pk: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await attempt(op, () =>
      client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": S(pk) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** BatchGetItem takes at most 100 keys; unprocessed keys are asked again, a bounded number of times. */
const BATCH = 100;
const BATCH_ROUNDS = 8;

/** The items of these keys that exist, in no particular order. */
export async function getMany(
  client: Dynamo,
  table: string,
  op: string,
  keys: readonly Item[],
): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < keys.length; i += BATCH) {
    let want: Item[] | undefined = keys.slice(i, i + BATCH);
    for (let round = 0; want !== undefined && want.length > 0; round++) {
      if (round === BATCH_ROUNDS) throw unavailable(op, new Error("keys left unprocessed after retries"));
      const keysNow: Item[] = want;
      const r = await attempt(op, () =>
        client.send(
          new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keysNow, ConsistentRead: true } } }),
        ),
      );
      items.push(...(r.Responses?.[table] ?? []));
      want = r.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items;
}

export const S = (s: string): AttributeValue => ({ S: s });
export const N = (n: number): AttributeValue => ({ N: String(n) });

/** The item's key. */
export const key = (pk: string, sk: string): Item => ({ pk: S(pk), sk: S(sk) });

/** Whether `s` can be a sort key: DynamoDB refuses empty keys and sort keys over 1,024 bytes. */
export const keyable = (s: string): boolean => s !== "" && new TextEncoder().encode(s).length <= 1024;

/** The string attribute `name`, or undefined when the item lacks it (or it is not a string). */
export function str(item: Item | undefined, name: string): string | undefined {
  return item?.[name]?.S;
}

/** The number attribute `name`, or undefined when absent or not a finite number. */
export function num(item: Item | undefined, name: string): number | undefined {
  const n = item?.[name]?.N;
  if (n === undefined) return undefined;
  const v = Number(n);
  return Number.isFinite(v) ? v : undefined;
}

/** The order the ports' listings promise (JavaScript string order, as the memory store's). */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
