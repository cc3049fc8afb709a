// LimitStore on the DynamoDB table: rate-limit buckets and host flags, without transactions.
//
// Buckets: `pk = "LIMITS"`, `sk` = hex SHA-256 of the key (keys may be longer than a sort key's 1,024
// bytes, or empty), `k` = the key, `tat` (ms), `ttl` = tat in epoch seconds rounded up, so DynamoDB's
// TTL removes a bucket some time after it is full again; until then readers skip it (tat <= now).
// saveLimitBuckets merges each change with a compare-and-set on the stored tat: read it, write
// max(saved + consumedMs, change.tat) only if tat is still what was read (or the item still absent),
// and on a conflict read again. So Lambdas saving the same bucket at once all add up, as one after the
// other would. A conflict means another save's write succeeded since our read, so with n saves of a
// bucket at once each needs at most n attempts: MERGE_ATTEMPTS (32) covers 32 at once (reserved
// concurrency keeps a deployment below that); beyond it, store_unavailable, that change not written.
// The first read of every key is one BatchGetItem per 100 keys. Changes to one key apply in the order given; different keys are merged concurrently.
// It is not one transaction: a failure leaves the changes already merged merged (each is whole).
// After merging it deletes every bucket with tat <= now, each under the condition it is still so: a
// Query over the LIMITS partition per save (docs/serverless.md, costs).
//
// Host flags: `pk = "FLAGS"`, `sk` = fqdn, `at`, `reason`, `hid` = the id of the host flagged. The host
// item (`pk = "HOST#<fqdn>"`, `sk = "HOST"`, `id`) belongs to the zone part of the store, which does not
// touch flags: a flag counts only while its host has that id, so a deleted (or deleted and re-created)
// host has lost its flag without anyone writing it, and flagging it again overwrites the stale item.

import { createHash } from "node:crypto";
import { DeleteItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { Dynamo } from "./table.js";
import { BeaconError } from "../../core/errors.js";
import type { LimitStore } from "../ports.js";
import type { HostFlag, LimitBucket, LimitBucketChange } from "../types.js";
import {
  attempt,
  attemptConditional,
  byString,
  conditionFailed,
  getMany,
  getOne,
  key,
  keyable,
  N,
  num,
  queryAll,
  S,
  str,
  type Item,
} from "./dynamo-call.js";

const BUCKETS = "LIMITS";
const FLAGS = "FLAGS";
const MERGE_ATTEMPTS = 32;
/** Keys merged at once in one save. */
const PARALLEL = 16;

const bucketKey = (k: string) => key(BUCKETS, createHash("sha256").update(k).digest("hex"));
const hostKey = (fqdn: string) => key(`HOST#${fqdn}`, "HOST");

export function dynamoLimits(client: Dynamo, table: string): LimitStore {
  const getItem = (op: string, k: Item) => getOne(client, table, op, k);

  /**
   * Applies one key's changes in order, starting from `read` (its tat read before); resolves with its tat
   * as stored after them (0: none).
   */
  const merge = async (
    k: string,
    changes: readonly LimitBucketChange[],
    now: number,
    read: number | undefined,
  ): Promise<number> => {
    let saved = read;
    for (const c of changes) {
      for (let tries = 0; ; tries++) {
        if (tries === MERGE_ATTEMPTS)
          throw new BeaconError(
            "store_unavailable",
            "DynamoDB saveLimitBuckets: a bucket kept changing under us",
          );
        const tat = saved === undefined ? c.tat : Math.max(saved + c.consumedMs, c.tat);
        const written = await casBucket(k, saved, tat, now);
        if (written !== conditionFailed) {
          saved = written;
          break;
        }
        saved = num(await getItem("saveLimitBuckets", bucketKey(k)), "tat");
      }
    }
    return saved ?? 0;
  };

  /**
   * Sets the bucket to `tat` if it still holds `saved` (undefined: absent); a tat <= now is deleted
   * instead. Resolves with the tat now stored (undefined: none), or conditionFailed.
   */
  const casBucket = async (k: string, saved: number | undefined, tat: number, now: number) => {
    const cond =
      saved === undefined
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : { ConditionExpression: "tat = :saved", ExpressionAttributeValues: { ":saved": N(saved) } };
    if (tat <= now) {
      if (saved === undefined) return undefined;
      const r = await attemptConditional("saveLimitBuckets", () =>
        client.send(new DeleteItemCommand({ TableName: table, Key: bucketKey(k), ...cond })),
      );
      return r === conditionFailed ? r : undefined;
    }
    const item = { ...bucketKey(k), k: S(k), tat: N(tat), ttl: N(Math.ceil(tat / 1000)) };
    const r = await attemptConditional("saveLimitBuckets", () =>
      client.send(new PutItemCommand({ TableName: table, Item: item, ...cond })),
    );
    return r === conditionFailed ? r : tat;
  };

  const buckets = async (op: string): Promise<LimitBucket[]> => {
    const out: LimitBucket[] = [];
    for (const item of await queryAll(client, table, op, BUCKETS)) {
      const k = str(item, "k");
      const tat = num(item, "tat");
      if (k !== undefined && tat !== undefined) out.push({ key: k, tat });
    }
    return out;
  };

  /** Flags with the id of the host each was set for. */
  const storedFlags = async (op: string) =>
    (await queryAll(client, table, op, FLAGS)).flatMap((item) => {
      const fqdn = str(item, "sk");
      const flaggedAt = num(item, "at");
      const hid = num(item, "hid");
      const reason = str(item, "reason") ?? "";
      return fqdn === undefined || flaggedAt === undefined || hid === undefined
        ? []
        : [{ flag: { fqdn, flaggedAt, reason }, hid }];
    });

  const hostIdOf = async (op: string, fqdn: string) => num(await getItem(op, hostKey(fqdn)), "id");

  return {
    async loadLimitBuckets(now) {
      return (await buckets("loadLimitBuckets"))
        .filter((b) => b.tat > now)
        .sort((a, b) => byString(a.key, b.key));
    },

    async saveLimitBuckets(changes, now) {
      const byKey = new Map<string, LimitBucketChange[]>();
      for (const c of changes) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
      const keys = [...byKey.keys()];
      const read = new Map<string | undefined, number | undefined>(
        (await getMany(client, table, "saveLimitBuckets", keys.map(bucketKey))).map((item) => [
          str(item, "k"),
          num(item, "tat"),
        ]),
      );
      const out: LimitBucket[] = [];
      for (let i = 0; i < keys.length; i += PARALLEL) {
        const tats = await Promise.all(
          keys.slice(i, i + PARALLEL).map((k) => merge(k, byKey.get(k) ?? [], now, read.get(k))),
        );
        tats.forEach((tat, j) => {
          if (tat > now) out.push({ key: keys[i + j]!, tat });
        });
      }
      for (const b of await buckets("saveLimitBuckets"))
        if (b.tat <= now)
          await attemptConditional("saveLimitBuckets", () =>
            client.send(
              new DeleteItemCommand({
                TableName: table,
                Key: bucketKey(b.key),
                ConditionExpression: "tat <= :now",
                ExpressionAttributeValues: { ":now": N(now) },
              }),
            ),
          );
      return out.sort((a, b) => byString(a.key, b.key));
    },

    async deleteLimitBuckets(keys) {
      for (const k of new Set(keys))
        await attempt("deleteLimitBuckets", () =>
          client.send(new DeleteItemCommand({ TableName: table, Key: bucketKey(k) })),
        );
    },

    async flagHost(flag) {
      if (!keyable(flag.fqdn)) return false;
      const hid = await hostIdOf("flagHost", flag.fqdn);
      if (hid === undefined) return false;
      // A stored flag of another host id is stale (that host was deleted): it is overwritten.
      const r = await attemptConditional("flagHost", () =>
        client.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              ...key(FLAGS, flag.fqdn),
              at: N(flag.flaggedAt),
              reason: S(flag.reason),
              hid: N(hid),
            },
            ConditionExpression: "attribute_not_exists(pk) OR hid <> :hid",
            ExpressionAttributeValues: { ":hid": N(hid) },
          }),
        ),
      );
      return r !== conditionFailed;
    },

    async clearHostFlag(fqdn) {
      if (!keyable(fqdn)) return false;
      const hid = await hostIdOf("clearHostFlag", fqdn);
      const r = await attempt("clearHostFlag", () =>
        client.send(
          new DeleteItemCommand({ TableName: table, Key: key(FLAGS, fqdn), ReturnValues: "ALL_OLD" }),
        ),
      );
      // A stale flag (its host is gone) was no flag: deleting it is only tidying.
      return hid !== undefined && num(r.Attributes, "hid") === hid;
    },

    async listHostFlags() {
      const flags = await storedFlags("listHostFlags");
      const hosts = await getMany(
        client,
        table,
        "listHostFlags",
        flags.map((f) => hostKey(f.flag.fqdn)),
      );
      const ids = new Map(hosts.map((h) => [str(h, "pk")?.slice("HOST#".length), num(h, "id")]));
      return flags
        .filter((f) => ids.get(f.flag.fqdn) === f.hid)
        .map((f): HostFlag => f.flag)
        .sort((a, b) => byString(a.fqdn, b.fqdn));
    },
  };
}
