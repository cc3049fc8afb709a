// ReplayStore in SQLite: the TSIG MACs accepted within their time window (table tsig_replay, migration
// 0010_tsig_replay), so replay protection survives a restart. A claim is one upsert that only replaces
// an expired row: one changed row means first seen.

import type { ReplayStore } from "../ports.js";
import { replayEntry } from "../tsig-replay.js";
import type { Db } from "./db.js";

export function sqliteReplay(db: Db): ReplayStore {
  return {
    claimTsigMac(keyName, mac, expiresAt, now) {
      return db.write("claimTsigMac", () => {
        const e = replayEntry(keyName, mac, expiresAt, now);
        return (
          db.run(
            "insert into tsig_replay (key_name, mac, expires_at) values (?, ?, ?) " +
              "on conflict (key_name, mac) do update set expires_at = excluded.expires_at " +
              "where tsig_replay.expires_at < ?",
            e.keyName,
            e.mac,
            expiresAt,
            now,
          ) > 0
        );
      });
    },

    pruneTsigMacs(now, limit) {
      return db.write("pruneTsigMacs", () =>
        db.run(
          "delete from tsig_replay where rowid in " +
            "(select rowid from tsig_replay where expires_at < ? order by expires_at limit ?)",
          now,
          limit,
        ),
      );
    },
  };
}
