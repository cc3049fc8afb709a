// UserStore in SQLite: admin users. A user's sessions go with it (ON DELETE CASCADE).

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { UserStore } from "../ports.js";
import type { UserRecord } from "../types.js";
import { userFromRow } from "../sql/rows.js";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import type { UsersTable } from "../sql/schema.js";

function insertUser(db: Db, u: UserRecord): void {
  try {
    db.run(
      "insert into users (name, password_hash, role, created_at, password_changed_at) values (?, ?, ?, ?, ?)",
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

const countUsers = (db: Db): number => db.get<{ n: number }>("select count(*) as n from users")!.n;

export function sqliteUsers(db: Db): UserStore {
  return {
    createUser(user) {
      return db.write("createUser", () => insertUser(db, user));
    },

    /** The count and the insert in one transaction: two first users cannot both be created. */
    createFirstUser(user) {
      return db.write("createFirstUser", () => {
        if (countUsers(db) > 0) return false;
        insertUser(db, user);
        return true;
      });
    },

    getUser(name) {
      return db.read("getUser", () => {
        const row = db.get<Selectable<UsersTable>>("select * from users where name = ?", name);
        return row && userFromRow(row);
      });
    },

    listUsers() {
      return db.read("listUsers", () =>
        db.all<Selectable<UsersTable>>("select * from users order by name").map(userFromRow),
      );
    },

    countUsers() {
      return db.read("countUsers", () => countUsers(db));
    },

    setUserPassword(name, passwordHash, at) {
      return db.write(
        "setUserPassword",
        () =>
          db.run(
            "update users set password_hash = ?, password_changed_at = ? where name = ?",
            passwordHash,
            at,
            name,
          ) > 0,
      );
    },

    deleteUser(name) {
      return db.write("deleteUser", () => db.run("delete from users where name = ?", name) > 0);
    },
  };
}
