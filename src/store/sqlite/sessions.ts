// SessionStore in SQLite: admin sessions, by the hash of their id.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { SessionStore } from "../ports.js";
import { sessionFromRow } from "../sql/rows.js";
import type { Db } from "./db.js";
import type { SessionsTable } from "../sql/schema.js";

export function sqliteSessions(db: Db): SessionStore {
  return {
    /** The user check and the insert in one transaction. */
    createSession(s) {
      return db.write("createSession", () => {
        if (db.get("select 1 from users where name = ?", s.user) === undefined)
          throw new BeaconError("user_not_found", `user ${s.user} does not exist`);
        db.run(
          "insert into sessions (id_hash, user, csrf_token, created_at, last_seen_at, expires_at) " +
            "values (?, ?, ?, ?, ?, ?)",
          s.idHash,
          s.user,
          s.csrfToken,
          s.createdAt,
          s.lastSeenAt,
          s.expiresAt,
        );
      });
    },

    getSession(idHash) {
      return db.read("getSession", () => {
        const row = db.get<Selectable<SessionsTable>>("select * from sessions where id_hash = ?", idHash);
        return row && sessionFromRow(row);
      });
    },

    touchSession(idHash, at) {
      return db.write("touchSession", () => {
        db.run("update sessions set last_seen_at = ? where id_hash = ?", at, idHash);
      });
    },

    deleteSession(idHash) {
      return db.write("deleteSession", () => db.run("delete from sessions where id_hash = ?", idHash) > 0);
    },

    deleteUserSessions(user, exceptIdHash) {
      return db.write("deleteUserSessions", () =>
        db.run("delete from sessions where user = ? and id_hash is not ?", user, exceptIdHash ?? null),
      );
    },

    pruneSessions(now, lastSeenBefore) {
      return db.write("pruneSessions", () =>
        db.run("delete from sessions where expires_at <= ? or last_seen_at <= ?", now, lastSeenBefore),
      );
    },
  };
}
