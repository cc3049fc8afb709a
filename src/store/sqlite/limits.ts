// LimitStore in SQLite: rate-limit buckets (key → theoretical arrival time) and host flags.

import type { LimitStore } from "../ports.js";
import type { HostFlag, LimitBucket } from "../types.js";
import { jsonList, type Db } from "./db.js";

export function sqliteLimits(db: Db): LimitStore {
  return {
    loadLimitBuckets(now) {
      return db.read("loadLimitBuckets", () =>
        db.all<LimitBucket>("select key, tat from limit_buckets where tat > ? order by key", now),
      );
    },

    /** One transaction: add each change, drop what expired, read back the keys given. */
    saveLimitBuckets(changes, now) {
      return db.write("saveLimitBuckets", () => {
        for (const c of changes) {
          // max(saved + consumed, seen): another node's consumption adds up, and our own view never shrinks.
          db.run(
            "insert into limit_buckets (key, tat) values (?, ?) on conflict (key) do update " +
              "set tat = max(limit_buckets.tat + ?, excluded.tat)",
            c.key,
            c.tat,
            c.consumedMs,
          );
        }
        db.run("delete from limit_buckets where tat <= ?", now);
        return db.all<LimitBucket>(
          "select key, tat from limit_buckets where key in (select value from json_each(?)) order by key",
          jsonList([...new Set(changes.map((c) => c.key))]),
        );
      });
    },

    deleteLimitBuckets(keys) {
      return db.write("deleteLimitBuckets", () => {
        db.run("delete from limit_buckets where key in (select value from json_each(?))", jsonList(keys));
      });
    },

    /** false when the host is absent or already flagged. */
    flagHost(flag) {
      return db.write("flagHost", () => {
        if (db.get("select 1 from hosts where fqdn = ?", flag.fqdn) === undefined) return false;
        return (
          db.run(
            "insert into host_flags (fqdn, flagged_at, reason) values (?, ?, ?) on conflict (fqdn) do nothing",
            flag.fqdn,
            flag.flaggedAt,
            flag.reason,
          ) > 0
        );
      });
    },

    clearHostFlag(fqdn) {
      return db.write("clearHostFlag", () => db.run("delete from host_flags where fqdn = ?", fqdn) > 0);
    },

    listHostFlags() {
      return db.read("listHostFlags", () =>
        db
          .all<{ fqdn: string; flagged_at: number; reason: string }>("select * from host_flags order by fqdn")
          .map((r): HostFlag => ({ fqdn: r.fqdn, flaggedAt: r.flagged_at, reason: r.reason })),
      );
    },
  };
}
