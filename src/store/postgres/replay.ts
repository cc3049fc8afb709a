// ReplayStore in PostgreSQL, as sqlite/replay.ts: the TSIG MACs accepted by any node within their time
// window (table tsig_replay, migration 0010_tsig_replay). A claim is one upsert that only replaces an
// expired row; two nodes claiming the same MAC at once meet on the primary key, the second waits for the
// first's commit and then finds a live row: exactly one of them changes a row, and only it gets true.

import type { ReplayStore } from "../ports.js";
import { replayEntry } from "../tsig-replay.js";
import type { Db } from "./db.js";

export function pgReplay(db: Db): ReplayStore {
  return {
    claimTsigMac(keyName, mac, expiresAt, now) {
      return db.write("claimTsigMac", async (sql) => {
        const e = replayEntry(keyName, mac, expiresAt, now);
        return (
          (await sql.run(
            "insert into tsig_replay (key_name, mac, expires_at) values ($1, $2, $3) " +
              "on conflict (key_name, mac) do update set expires_at = excluded.expires_at " +
              "where tsig_replay.expires_at < $4",
            e.keyName,
            e.mac,
            expiresAt,
            now,
          )) > 0
        );
      });
    },

    pruneTsigMacs(now, limit) {
      return db.write("pruneTsigMacs", (sql) =>
        sql.run(
          "delete from tsig_replay where ctid = any(array(" +
            "select ctid from tsig_replay where expires_at < $1 order by expires_at limit $2))",
          now,
          limit,
        ),
      );
    },
  };
}
