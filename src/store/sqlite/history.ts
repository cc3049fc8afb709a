// HistoryStore in SQLite: reading a name's or a host's entries, newest first, and pruning by age. The
// entries are written by the commit (update-path.ts), in its transaction.

import type { Selectable } from "kysely";

import type { HistoryStore } from "../ports.js";
import type { Db } from "./db.js";
import { historyFromRow } from "../sql/rows.js";
import type { HistoryTable } from "../sql/schema.js";

const DEFAULT_HISTORY_LIMIT = 100;

export function sqliteHistory(db: Db): HistoryStore {
  return {
    listHistory(fqdn, opts) {
      // SQLite reads a negative LIMIT as "no limit"; the contract's limit is an upper bound.
      const limit = Math.max(0, Math.floor(opts?.limit ?? DEFAULT_HISTORY_LIMIT));
      const { before, hostId } = opts ?? {};
      // A host's entries by its own index (seq grows with id); a name's by (fqdn, id). Four texts.
      const text =
        (hostId === undefined
          ? "select * from history where fqdn = ?"
          : "select * from history where host_id = ?") +
        (before === undefined ? "" : " and id < ?") +
        (hostId === undefined ? " order by id desc limit ?" : " order by seq desc limit ?");
      const params = [hostId ?? fqdn, ...(before === undefined ? [] : [before]), limit];
      return db.read("listHistory", () =>
        db.all<Selectable<HistoryTable>>(text, ...params).map(historyFromRow),
      );
    },

    pruneHistory(olderThan, limit) {
      return db.write("pruneHistory", () =>
        db.run(
          "delete from history where id in (select id from history order by id limit ?) and last_at < ?",
          Math.max(0, Math.floor(limit)),
          olderThan,
        ),
      );
    },
  };
}
