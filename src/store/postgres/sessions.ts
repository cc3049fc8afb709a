// SessionStore in PostgreSQL, as sqlite/sessions.ts: admin sessions, by the hash of their id. The user
// check and the insert are one transaction; a user deleted by another node in between makes the insert
// a foreign-key violation (SQLSTATE 23503), reported as user_not_found too.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { SessionStore } from "../ports.js";
import type { SessionsTable } from "../sql/schema.js";
import { sessionFromRow } from "../sql/rows.js";
import type { Db } from "./db.js";
import { isForeignKeyViolation } from "./errors.js";
import { SESSION_COLUMNS, list } from "./columns.js";

export function pgSessions(db: Db): SessionStore {
  return {
    createSession(s) {
      return db.write("createSession", async (sql) => {
        const missing = () => new BeaconError("user_not_found", `user ${s.user} does not exist`);
        if ((await sql.get("select 1 from users where name = $1", s.user)) === undefined) throw missing();
        try {
          await sql.run(
            'insert into sessions (id_hash, "user", csrf_token, created_at, last_seen_at, expires_at) ' +
              "values ($1, $2, $3, $4, $5, $6)",
            s.idHash,
            s.user,
            s.csrfToken,
            s.createdAt,
            s.lastSeenAt,
            s.expiresAt,
          );
        } catch (e) {
          if (isForeignKeyViolation(e)) throw missing();
          throw e;
        }
      });
    },

    getSession(idHash) {
      return db.read("getSession", async (sql) => {
        const row = await sql.get<Selectable<SessionsTable>>(
          `select ${list(SESSION_COLUMNS)} from sessions where id_hash = $1`,
          idHash,
        );
        return row && sessionFromRow(row);
      });
    },

    touchSession(idHash, at) {
      return db.write("touchSession", async (sql) => {
        await sql.run("update sessions set last_seen_at = $1 where id_hash = $2", at, idHash);
      });
    },

    deleteSession(idHash) {
      return db.write(
        "deleteSession",
        async (sql) => (await sql.run("delete from sessions where id_hash = $1", idHash)) > 0,
      );
    },

    deleteUserSessions(user, exceptIdHash) {
      return db.write("deleteUserSessions", (sql) =>
        sql.run(
          'delete from sessions where "user" = $1 and id_hash is distinct from $2',
          user,
          exceptIdHash ?? null,
        ),
      );
    },

    pruneSessions(now, lastSeenBefore) {
      return db.write("pruneSessions", (sql) =>
        sql.run("delete from sessions where expires_at <= $1 or last_seen_at <= $2", now, lastSeenBefore),
      );
    },
  };
}
