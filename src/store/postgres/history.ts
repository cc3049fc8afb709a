// HistoryStore in PostgreSQL, as sqlite/history.ts: reading a name's or a host's entries, newest
// first, and pruning by age. The entries are written by the commit (update-path.ts), in its transaction.

import type { Selectable } from "kysely";

import type { HistoryStore } from "../ports.js";
import { historyFromRow } from "../sql/rows.js";
import type { HistoryTable } from "../sql/schema.js";
import type { Db } from "./db.js";
import { HISTORY_COLUMNS, list } from "./columns.js";

const DEFAULT_HISTORY_LIMIT = 100;

export function pgHistory(db: Db): HistoryStore {
  return {
    listHistory(fqdn, opts) {
      const limit = Math.max(0, Math.floor(opts?.limit ?? DEFAULT_HISTORY_LIMIT));
      const { before, hostId } = opts ?? {};
      // A host's entries by its own index (seq grows with id); a name's by (fqdn, id). Four texts.
      const text =
        (hostId === undefined
          ? `select ${list(HISTORY_COLUMNS)} from history where fqdn = $1`
          : `select ${list(HISTORY_COLUMNS)} from history where host_id = $1`) +
        (before === undefined ? "" : " and id < $3") +
        (hostId === undefined ? " order by id desc limit $2" : " order by seq desc limit $2");
      const params = [hostId ?? fqdn, limit, ...(before === undefined ? [] : [before])];
      return db.read("listHistory", async (sql) =>
        (await sql.all<Selectable<HistoryTable>>(text, ...params)).map(historyFromRow),
      );
    },

    pruneHistory(olderThan, limit) {
      return db.write("pruneHistory", (sql) =>
        sql.run(
          "delete from history where id in (select id from history order by id limit $1) and last_at < $2",
          Math.max(0, Math.floor(limit)),
          olderThan,
        ),
      );
    },
  };
}
