// Rate-limit buckets and host flags in SQLite (the LimitStore part of the Store port). Each function
// takes the database (or transaction) it works in.

import { sql, type Kysely, type Transaction } from "kysely";

import type { HostFlag, LimitBucket, LimitBucketChange } from "../types.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** Rows per statement, well under SQLite's bound-parameter limit. */
const CHUNK = 200;

export async function loadLimitBuckets(db: Db, now: number): Promise<LimitBucket[]> {
  return db
    .selectFrom("limit_buckets")
    .select(["key", "tat"])
    .where("tat", ">", now)
    .orderBy("key")
    .execute();
}

/** One transaction (the caller's): add each change, drop what expired, read back the keys given. */
export async function saveLimitBuckets(
  trx: Transaction<Database>,
  changes: readonly LimitBucketChange[],
  now: number,
): Promise<LimitBucket[]> {
  for (const c of changes) {
    // max(saved + consumed, seen): another node's consumption adds up, and our own view never shrinks.
    await trx
      .insertInto("limit_buckets")
      .values({ key: c.key, tat: c.tat })
      .onConflict((oc) =>
        oc
          .column("key")
          .doUpdateSet({ tat: sql<number>`max(limit_buckets.tat + ${c.consumedMs}, excluded.tat)` }),
      )
      .execute();
  }
  await trx.deleteFrom("limit_buckets").where("tat", "<=", now).execute();
  const keys = [...new Set(changes.map((c) => c.key))];
  const out: LimitBucket[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    const part = keys.slice(i, i + CHUNK);
    out.push(
      ...(await trx.selectFrom("limit_buckets").select(["key", "tat"]).where("key", "in", part).execute()),
    );
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export async function deleteLimitBuckets(db: Db, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += CHUNK)
    await db
      .deleteFrom("limit_buckets")
      .where("key", "in", keys.slice(i, i + CHUNK))
      .execute();
}

/** false when the host is absent (no parent row) or already flagged. */
export async function flagHost(trx: Transaction<Database>, flag: HostFlag): Promise<boolean> {
  const host = await trx.selectFrom("hosts").select("fqdn").where("fqdn", "=", flag.fqdn).executeTakeFirst();
  if (host === undefined) return false;
  const r = await trx
    .insertInto("host_flags")
    .values({ fqdn: flag.fqdn, flagged_at: flag.flaggedAt, reason: flag.reason })
    .onConflict((oc) => oc.column("fqdn").doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function clearHostFlag(db: Db, fqdn: string): Promise<boolean> {
  const r = await db.deleteFrom("host_flags").where("fqdn", "=", fqdn).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function listHostFlags(db: Db): Promise<HostFlag[]> {
  const rows = await db.selectFrom("host_flags").selectAll().orderBy("fqdn").execute();
  return rows.map((r) => ({ fqdn: r.fqdn, flaggedAt: r.flagged_at, reason: r.reason }));
}
