// LimitStore in PostgreSQL, as sqlite/limits.ts: rate-limit buckets (key → theoretical arrival time)
// and host flags. Saving adds each node's consumption (`tat + consumed`) inside one upsert, so nodes
// saving the same bucket at once both count: the row lock orders them. One statement adds the whole
// list, so a node flushing every second (cli/bucket-sharing.ts) costs a few statements, not one per key.

import type { LimitStore } from "../ports.js";
import type { HostFlag, LimitBucket, LimitBucketChange } from "../types.js";
import type { Db } from "./db.js";
import { HOST_FLAG_COLUMNS, list } from "./columns.js";

export function pgLimits(db: Db): LimitStore {
  return {
    loadLimitBuckets(now) {
      return db.read("loadLimitBuckets", (sql) =>
        sql.all<LimitBucket>("select key, tat from limit_buckets where tat > $1 order by key", now),
      );
    },

    /**
     * One transaction of four statements whatever the number of changes: lock the saved rows in key
     * order (two nodes saving overlapping sets then wait for each other instead of deadlocking), one
     * statement adding every change (arrays bound as parameters: an update joined to them, an insert
     * of the keys it did not find), the expiry, the read-back.
     */
    saveLimitBuckets(changes, now) {
      const merged = mergeChanges(changes);
      const keys = merged.map((c) => c.key);
      return db.write("saveLimitBuckets", async (sql) => {
        if (merged.length > 0) {
          await sql.run("select key from limit_buckets where key = any($1) order by key for update", keys);
          // max(saved + consumed, seen): another node's consumption adds up, and our own view never
          // shrinks. A row another node inserted since this statement began is a conflict: the same
          // sum then (a lookup per such row, which only a race makes).
          await sql.run(
            "with c (key, consumed, tat) as (select * from unnest($1::text[], $2::bigint[], $3::bigint[])), " +
              "up as (update limit_buckets l set tat = greatest(l.tat + c.consumed, c.tat) from c " +
              "where l.key = c.key returning l.key) " +
              "insert into limit_buckets (key, tat) select key, tat from c " +
              "where not exists (select 1 from up where up.key = c.key) order by key " +
              "on conflict (key) do update set tat = greatest(limit_buckets.tat + " +
              "(select c.consumed from c where c.key = excluded.key), excluded.tat)",
            keys,
            merged.map((c) => c.consumedMs),
            merged.map((c) => c.tat),
          );
        }
        await sql.run("delete from limit_buckets where tat <= $1", now);
        return sql.all<LimitBucket>(
          "select key, tat from limit_buckets where key = any($1) order by key",
          keys,
        );
      });
    },

    deleteLimitBuckets(keys) {
      return db.write("deleteLimitBuckets", async (sql) => {
        await sql.run("delete from limit_buckets where key = any($1)", [...keys]);
      });
    },

    /** false when the host is absent or already flagged. */
    flagHost(flag) {
      return db.write("flagHost", async (sql) => {
        if ((await sql.get("select 1 from hosts where fqdn = $1 for share", flag.fqdn)) === undefined)
          return false;
        return (
          (await sql.run(
            "insert into host_flags (fqdn, flagged_at, reason) values ($1, $2, $3) on conflict (fqdn) do nothing",
            flag.fqdn,
            flag.flaggedAt,
            flag.reason,
          )) > 0
        );
      });
    },

    clearHostFlag(fqdn) {
      return db.write(
        "clearHostFlag",
        async (sql) => (await sql.run("delete from host_flags where fqdn = $1", fqdn)) > 0,
      );
    },

    listHostFlags() {
      return db.read("listHostFlags", async (sql) =>
        (
          await sql.all<{ fqdn: string; flagged_at: number; reason: string }>(
            `select ${list(HOST_FLAG_COLUMNS)} from host_flags order by fqdn`,
          )
        ).map((r): HostFlag => ({ fqdn: r.fqdn, flaggedAt: r.flagged_at, reason: r.reason })),
      );
    },
  };
}

/**
 * One change per key, in key order, with the effect of applying `changes` one after the other: saving
 * (a, t1) then (b, t2) gives max(max(s + a, t1) + b, t2) = max(s + (a + b), max(t1 + b, t2)).
 * (One upsert cannot touch a row twice.)
 */
function mergeChanges(changes: readonly LimitBucketChange[]): LimitBucketChange[] {
  const byKey = new Map<string, LimitBucketChange>();
  for (const c of changes) {
    const before = byKey.get(c.key);
    byKey.set(
      c.key,
      before === undefined
        ? c
        : {
            key: c.key,
            consumedMs: before.consumedMs + c.consumedMs,
            tat: Math.max(before.tat + c.consumedMs, c.tat),
          },
    );
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
