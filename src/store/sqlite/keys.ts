// KeyStore in SQLite: TSIG keys by name.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { KeyStore } from "../ports.js";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { keyFromRow } from "../sql/rows.js";
import type { TsigKeysTable } from "../sql/schema.js";

export function sqliteKeys(db: Db): KeyStore {
  return {
    createTsigKey(key) {
      return db.write("createTsigKey", () => {
        try {
          db.run(
            "insert into tsig_keys (name, algorithm, secret, names_json, types_json, allowed_cidrs_json, " +
              "created_at) values (?, ?, ?, ?, ?, ?, ?)",
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
      return db.read("listTsigKeys", () =>
        db.all<Selectable<TsigKeysTable>>("select * from tsig_keys order by name").map(keyFromRow),
      );
    },

    deleteTsigKey(name) {
      return db.write("deleteTsigKey", () => db.run("delete from tsig_keys where name = ?", name) > 0);
    },
  };
}
