// Items as this store writes them (table.ts lists the keys): a live item carries its record as JSON
// in `d` (compact, and one codec for every record), a tombstone carries none. The commit log's pending
// batch is a JSON list of `Op`s, bounded in size so the head item stays far below DynamoDB's 400 KB.

import type { AttributeValue } from "@aws-sdk/client-dynamodb";

import { BeaconError } from "../../core/errors.js";
import type { Key } from "./table.js";

export type Item = Record<string, AttributeValue>;

/** One staged write: a put of `d` (with the host's `id`), or a delete (no `d`). */
export interface Op {
  readonly pk: string;
  readonly sk: string;
  readonly d?: string;
  readonly id?: number;
}

/** A pending batch larger than this is refused: the head item must stay below 400 KB. */
export const MAX_PENDING_BYTES = 300_000;

/** Tombstones outlive any roller that could still be applying the batch before theirs. */
export const TOMBSTONE_SECONDS = 86_400;

export function putOp(key: Key, value: unknown, id?: number): Op {
  return id === undefined
    ? { pk: key.pk, sk: key.sk, d: JSON.stringify(value) }
    : { pk: key.pk, sk: key.sk, d: JSON.stringify(value), id };
}

export function delOp(key: Key): Op {
  return { pk: key.pk, sk: key.sk };
}

/** The item an op writes at commit version `cv`; `at` (ms) dates a tombstone's expiry. */
export function opItem(op: Op, cv: number, at: number): Item {
  const item: Item = { pk: { S: op.pk }, sk: { S: op.sk }, cv: { N: String(cv) } };
  if (op.d === undefined) item.ttl = { N: String(Math.floor(at / 1000) + TOMBSTONE_SECONDS) };
  else item.d = { S: op.d };
  if (op.id !== undefined) item.id = { N: String(op.id) };
  return item;
}

/** Whether the item holds a record (not a tombstone). */
export function isLive(item: Item | undefined): item is Item {
  return item?.d?.S !== undefined;
}

/** The record a live item holds. */
export function data<T>(item: Item): T {
  const d = item.d?.S;
  if (d === undefined)
    throw new BeaconError("store_unavailable", `item ${item.pk?.S}/${item.sk?.S} has no data`);
  return JSON.parse(d) as T;
}

/** The item's key. */
export function keyOf(item: Item): Key {
  return { pk: item.pk?.S ?? "", sk: item.sk?.S ?? "" };
}

export function str(item: Item | undefined, name: string): string | undefined {
  return item?.[name]?.S;
}

export function num(item: Item | undefined, name: string): number {
  const n = item?.[name]?.N;
  return n === undefined ? 0 : Number(n);
}

/** The pending batch as stored in the head; parameter_too_large past MAX_PENDING_BYTES. */
export function encodePending(ops: readonly Op[]): string {
  const text = JSON.stringify(ops);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_PENDING_BYTES) {
    throw new BeaconError(
      "parameter_too_large",
      `this change writes ${ops.length} items (${bytes} bytes); the DynamoDB store takes at most ${MAX_PENDING_BYTES} bytes per change`,
    );
  }
  return text;
}

export function decodePending(text: string): Op[] {
  let ops: unknown;
  try {
    ops = JSON.parse(text);
  } catch {
    ops = undefined;
  }
  if (!Array.isArray(ops) || !ops.every(isOp))
    throw new BeaconError("store_unavailable", "the pending batch in the commit head is corrupt");
  return ops;
}

function isOp(x: unknown): x is Op {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o.pk === "string" &&
    typeof o.sk === "string" &&
    (o.d === undefined || typeof o.d === "string") &&
    (o.id === undefined || typeof o.id === "number")
  );
}
