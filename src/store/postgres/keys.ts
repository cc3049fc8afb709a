// KeyStore in PostgreSQL, as sqlite/keys.ts: TSIG keys by name.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { KeyStore } from "../ports.js";
import { keyFromRow } from "../sql/rows.js";
import type { TsigKeysTable } from "../sql/schema.js";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { TSIG_KEY_COLUMNS, list } from "./columns.js";

export function pgKeys(db: Db): KeyStore {
  return {
    createTsigKey(key) {
      return db.write("createTsigKey", async (sql) => {
        try {
          await sql.run(
            "insert into tsig_keys (name, algorithm, secret, names_json, types_json, allowed_cidrs_json, " +
              "created_at) values ($1, $2, $3, $4, $5, $6, $7)",
            key.name,
            key.algorithm,
            key.secret,
            JSON.stringify(key.names),
            JSON.stringify(key.types),
            JSON.stringify(key.allowedCidrs),
            key.createdAt,
          );
        } catch (e) {
          if (isUniqueViolation(e))
            throw new BeaconError("key_exists", `a key named ${key.name} already exists`);
          throw e;
        }
      });
    },

    listTsigKeys() {
      return db.read("listTsigKeys", async (sql) =>
        (
          await sql.all<Selectable<TsigKeysTable>>(
            `select ${list(TSIG_KEY_COLUMNS)} from tsig_keys order by name`,
          )
        ).map(keyFromRow),
      );
    },

    deleteTsigKey(name) {
      return db.write(
        "deleteTsigKey",
        async (sql) => (await sql.run("delete from tsig_keys where name = $1", name)) > 0,
      );
    },
  };
}
