// LimitStore in PostgreSQL, as sqlite/limits.ts: rate-limit buckets (key → theoretical arrival time)
// and host flags. Saving adds each node's consumption (`tat + consumed`) inside one upsert, so nodes
// saving the same bucket at once both count: the row lock orders them.

import type { LimitStore } from "../ports.js";
import type { HostFlag, LimitBucket } from "../types.js";
import type { Db } from "./db.js";

export function pgLimits(db: Db): LimitStore {
  return {
    loadLimitBuckets(now) {
      return db.read("loadLimitBuckets", (sql) =>
        sql.all<LimitBucket>("select key, tat from limit_buckets where tat > $1 order by key", now),
      );
    },

    /** One transaction: add each change, drop what expired, read back the keys given. */
    saveLimitBuckets(changes, now) {
      return db.write("saveLimitBuckets", async (sql) => {
        // In key order, so two nodes saving overlapping sets lock the rows in the same order.
        for (const c of [...changes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
          // max(saved + consumed, seen): another node's consumption adds up, and our own view never shrinks.
          await sql.run(
            "insert into limit_buckets (key, tat) values ($1, $2) on conflict (key) do update " +
              "set tat = greatest(limit_buckets.tat + $3, excluded.tat)",
            c.key,
            c.tat,
            c.consumedMs,
          );
        }
        await sql.run("delete from limit_buckets where tat <= $1", now);
        return sql.all<LimitBucket>("select key, tat from limit_buckets where key = any($1) order by key", [
          ...new Set(changes.map((c) => c.key)),
        ]);
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
            "select * from host_flags order by fqdn",
          )
        ).map((r): HostFlag => ({ fqdn: r.fqdn, flaggedAt: r.flagged_at, reason: r.reason })),
      );
    },
  };
}
