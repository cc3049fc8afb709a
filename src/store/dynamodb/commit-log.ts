// The commit log: how a change to many items is all-or-nothing on DynamoDB without transactions.
//
// One item, the head (COMMIT/HEAD), is the commit point. It holds the version `v`, the counters that
// give ids (`h` hosts, `i` history entries, `o` outbox seqs) and, while a commit is being applied, its
// batch `p` (the items it writes, codec.ts) with its time `t`.
// - A change (`mutate`) reads the head; if a batch is pending there it first rolls it forward. It then
//   reads what it needs and stages its writes (ids come from the head's counters), and writes them
//   INTO the head with one conditional update (v unchanged, nothing pending): once that succeeds the
//   change is durable. Then it applies the batch (one conditional put per item) and clears `p`
//   (conditional on v). If the head moved meanwhile the update fails and the change is computed
//   again from fresh reads (at most MAX_ATTEMPTS times): every change is serialised by the head, so
//   none is lost and each sees the last.
// - A change that fails after its commit point (the apply step failed, the process died) is applied
//   by the next reader or writer, which finds `p` on the head: never half visible. Its caller saw
//   store_unavailable although the change is durable, as after a lost reply from any database.
// - Applying is idempotent and fenced: an item written at version v is put only when the stored one
//   is older (`cv < v`), so a late roller of an old batch cannot overwrite a newer value. For the
//   same reason a delete writes a tombstone (cv, no data) instead of removing the item, so a late put
//   cannot bring it back; tombstones expire through the table's TTL (a day) and every read skips them.
// - A read (`read`) reads the head (rolling a pending batch forward), then the items, then the head
//   again: if the version moved, it reads again. So a read sees whole commits only. A read of a
//   single item (`single`) needs no second look: what it sees is committed, and any later operation
//   rolls forward first.
// Cost: a read is 2 extra strongly consistent GetItems of the head (1 read unit each); a change is
// 1 GetItem and 2 UpdateItems of the head plus one PutItem per item it writes (1 write unit per KB).

import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import {
  decodePending,
  delOp,
  encodePending,
  isLive,
  num,
  opItem,
  putOp,
  str,
  type Item,
  type Op,
} from "./codec.js";
import { call, HEAD_KEY, isConditionFailed, type Dynamo, type Key } from "./table.js";

const MAX_ATTEMPTS = 20;
/** How many puts of one batch are in flight at once. */
const APPLY_CONCURRENCY = 16;
/** A query reads at most this many pages (1 MB each): far beyond any partition this store grows. */
const MAX_PAGES = 1000;
/** The largest Limit one Query asks for (a huge or infinite `limit` reads page by page). */
const PAGE_LIMIT = 1000;
/** The head's attributes, as expression names. */
const HEAD_NAMES = { "#v": "v", "#h": "h", "#i": "i", "#o": "o", "#p": "p", "#t": "t" };

export type Counter = "h" | "i" | "o";

export interface Head {
  readonly v: number;
  readonly counters: Readonly<Record<Counter, number>>;
  readonly pending: { readonly ops: readonly Op[]; readonly t: number } | undefined;
}

export interface QueryOptions {
  /** Only sort keys starting with this. */
  readonly prefix?: string;
  /** Only sort keys below this. */
  readonly below?: string;
  /** Newest (largest sort key) first. */
  readonly desc?: boolean;
  /** At most this many live items (that pass `filter`). */
  readonly limit?: number;
  readonly filter?: (item: Item) => boolean;
}

/** Strongly consistent reads that skip tombstones. */
export interface Reader {
  get(key: Key): Promise<Item | undefined>;
  query(pk: string, opts?: QueryOptions): Promise<Item[]>;
}

/** A change being computed: reads, then staged writes (the last write of a key wins). */
export interface Tx extends Reader {
  next(counter: Counter): number;
  put(key: Key, value: unknown, id?: number): void;
  del(key: Key): void;
}

export interface CommitLog {
  read<T>(fn: (r: Reader) => Promise<T>, opts?: { single?: boolean }): Promise<T>;
  mutate<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

export function createCommitLog(db: Dynamo, table: string, clock: Clock, open: () => void): CommitLog {
  const reader: Reader = {
    async get(key) {
      const out = await call("GetItem", () =>
        db.send(new GetItemCommand({ TableName: table, Key: keyAttrs(key), ConsistentRead: true })),
      );
      return isLive(out.Item) ? out.Item : undefined;
    },
    async query(pk, opts = {}) {
      const items: Item[] = [];
      const input = queryInput(table, pk, opts);
      for (let page = 0; page < MAX_PAGES; page++) {
        const want = opts.limit === undefined ? undefined : opts.limit - items.length;
        if (want !== undefined && want <= 0) break;
        const out = await call("Query", () =>
          db.send(new QueryCommand({ ...input, Limit: want && Math.min(want, PAGE_LIMIT) })),
        );
        for (const item of out.Items ?? []) {
          if (isLive(item) && (opts.filter?.(item) ?? true)) items.push(item);
        }
        if (out.LastEvaluatedKey === undefined) return items.slice(0, opts.limit);
        input.ExclusiveStartKey = out.LastEvaluatedKey;
      }
      return items.slice(0, opts.limit);
    },
  };

  async function readHead(): Promise<Head> {
    const out = await call("GetItem", () =>
      db.send(new GetItemCommand({ TableName: table, Key: keyAttrs(HEAD_KEY), ConsistentRead: true })),
    );
    const item = out.Item;
    const p = str(item, "p");
    return {
      v: num(item, "v"),
      counters: { h: num(item, "h"), i: num(item, "i"), o: num(item, "o") },
      pending: p === undefined ? undefined : { ops: decodePending(p), t: num(item, "t") },
    };
  }

  /** Sends a conditional write; false when its condition failed. */
  async function conditional(what: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await call(what, send);
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** A conditional update of the head; false when its condition failed. */
  function updateHead(update: string, condition: string, values: Item): Promise<boolean> {
    const used = Object.entries(HEAD_NAMES).filter(([name]) => `${update} ${condition}`.includes(name));
    return conditional("UpdateItem", () =>
      db.send(
        new UpdateItemCommand({
          TableName: table,
          Key: keyAttrs(HEAD_KEY),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.fromEntries(used),
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Applies the head's pending batch and clears it. An item is put only over an older version: a
   * failed condition means it was applied already, or a newer commit wrote it. A failed clear means
   * another roller cleared it (and maybe a newer commit began).
   */
  async function rollForward(head: Head): Promise<void> {
    if (head.pending === undefined) return;
    const { ops, t } = head.pending;
    const v = { ":v": { N: String(head.v) } };
    const put = (op: Op) =>
      conditional("PutItem", () =>
        db.send(
          new PutItemCommand({
            TableName: table,
            Item: opItem(op, head.v, t),
            ConditionExpression: "attribute_not_exists(#cv) OR #cv < :v",
            ExpressionAttributeNames: { "#cv": "cv" },
            ExpressionAttributeValues: v,
          }),
        ),
      );
    for (let i = 0; i < ops.length; i += APPLY_CONCURRENCY) {
      await Promise.all(ops.slice(i, i + APPLY_CONCURRENCY).map(put));
    }
    await updateHead("REMOVE #p, #t", "#v = :v", v);
  }

  /** The head as it must be to take a commit: version `head.v`, nothing pending. */
  async function unchanged(head: Head): Promise<boolean> {
    const now = await readHead();
    return now.v === head.v && now.pending === undefined;
  }

  /** Writes the batch into the head; false when the head moved since `head` was read. */
  function commitPoint(
    head: Head,
    counters: Record<Counter, number>,
    ops: Op[],
    t: number,
  ): Promise<boolean> {
    const values: Item = {
      ":nv": { N: String(head.v + 1) },
      ":h": { N: String(counters.h) },
      ":i": { N: String(counters.i) },
      ":o": { N: String(counters.o) },
      ":p": { S: encodePending(ops) },
      ":t": { N: String(t) },
    };
    const set = "SET #v = :nv, #h = :h, #i = :i, #o = :o, #p = :p, #t = :t";
    if (head.v === 0) return updateHead(set, "attribute_not_exists(#v)", values);
    return updateHead(set, "#v = :v AND attribute_not_exists(#p)", {
      ...values,
      ":v": { N: String(head.v) },
    });
  }

  /** The head with nothing pending: a pending batch found on the way is rolled forward first. */
  async function settledHead(): Promise<Head> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const head = await readHead();
      if (head.pending === undefined) return head;
      await rollForward(head);
    }
    throw busy();
  }

  return {
    async read(fn, opts) {
      open();
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const head = await settledHead();
        const result = await fn(reader);
        if (opts?.single === true || (await unchanged(head))) return result;
      }
      throw busy();
    },

    async mutate(fn) {
      open();
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const head = await settledHead();
        const counters = { ...head.counters };
        const staged = new Map<string, Op>();
        const stage = (op: Op) => staged.set(`${op.pk}\u0000${op.sk}`, op);
        const tx: Tx = {
          ...reader,
          next: (c) => ++counters[c],
          put: (key, value, id) => stage(putOp(key, value, id)),
          del: (key) => stage(delOp(key)),
        };
        const result = await fn(tx);
        const ops = [...staged.values()];
        if (ops.length === 0) {
          if (await unchanged(head)) return result;
          continue;
        }
        const t = clock();
        if (!(await commitPoint(head, counters, ops, t))) continue;
        await rollForward({ v: head.v + 1, counters, pending: { ops, t } });
        return result;
      }
      throw busy();
    },
  };
}

function keyAttrs(key: Key): Item {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

function queryInput(table: string, pk: string, opts: QueryOptions): QueryCommandInput {
  const names: Record<string, string> = { "#pk": "pk" };
  const values: Item = { ":pk": { S: pk } };
  let condition = "#pk = :pk";
  if (opts.prefix !== undefined) {
    condition += " AND begins_with(#sk, :prefix)";
    values[":prefix"] = { S: opts.prefix };
  } else if (opts.below !== undefined) {
    condition += " AND #sk < :below";
    values[":below"] = { S: opts.below };
  }
  if (condition !== "#pk = :pk") names["#sk"] = "sk";
  return {
    TableName: table,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ConsistentRead: true,
    ScanIndexForward: opts.desc !== true,
  };
}

function busy(): BeaconError {
  return new BeaconError("store_unavailable", "the DynamoDB store is too busy with other changes; try again");
}
