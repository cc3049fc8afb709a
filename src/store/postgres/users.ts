// UserStore in PostgreSQL, as sqlite/users.ts: admin users; a user's sessions go with it (ON DELETE
// CASCADE). createFirstUser takes a lock on the users table first, so two nodes creating "the first
// user" at once cannot both succeed (read committed alone would let both counts see zero).

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { UserStore } from "../ports.js";
import type { UserRecord } from "../types.js";
import type { UsersTable } from "../sql/schema.js";
import { userFromRow } from "../sql/rows.js";
import type { Db, Sql } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { USER_COLUMNS, list } from "./columns.js";

async function insertUser(sql: Sql, u: UserRecord): Promise<void> {
  try {
    await sql.run(
      "insert into users (name, password_hash, role, created_at, password_changed_at) values ($1, $2, $3, $4, $5)",
      u.name,
      u.passwordHash,
      u.role,
      u.createdAt,
      u.passwordChangedAt,
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw new BeaconError("user_exists", `user ${u.name} already exists`);
    throw e;
  }
}

const countUsers = async (sql: Sql): Promise<number> =>
  (await sql.get<{ n: number }>("select count(*) as n from users"))!.n;

export function pgUsers(db: Db): UserStore {
  return {
    createUser(user) {
      return db.write("createUser", (sql) => insertUser(sql, user));
    },

    createFirstUser(user) {
      return db.write("createFirstUser", async (sql) => {
        // Conflicts with itself (and with inserts), not with readers: one first user at a time.
        await sql.run("lock table users in share row exclusive mode");
        if ((await countUsers(sql)) > 0) return false;
        await insertUser(sql, user);
        return true;
      });
    },

    getUser(name) {
      return db.read("getUser", async (sql) => {
        const row = await sql.get<Selectable<UsersTable>>(
          `select ${list(USER_COLUMNS)} from users where name = $1`,
          name,
        );
        return row && userFromRow(row);
      });
    },

    listUsers() {
      return db.read("listUsers", async (sql) =>
        (await sql.all<Selectable<UsersTable>>(`select ${list(USER_COLUMNS)} from users order by name`)).map(
          userFromRow,
        ),
      );
    },

    countUsers() {
      return db.read("countUsers", countUsers);
    },

    setUserPassword(name, passwordHash, at) {
      return db.write(
        "setUserPassword",
        async (sql) =>
          (await sql.run(
            "update users set password_hash = $1, password_changed_at = $2 where name = $3",
            passwordHash,
            at,
            name,
          )) > 0,
      );
    },

    deleteUser(name) {
      return db.write(
        "deleteUser",
        async (sql) => (await sql.run("delete from users where name = $1", name)) > 0,
      );
    },
  };
}
