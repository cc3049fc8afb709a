// TokenStore in SQLite. A token is found by its id or by its secret's hash (unique index, migration
// 0006), so the lookup costs the same whether the credential is right or wrong.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { TokenStore } from "../ports.js";
import { named, type Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { tokenFromRow, tokenToRow } from "../sql/rows.js";
import type { TokensTable } from "../sql/schema.js";

const COLUMNS =
  "id, secret_hash, label, names_json, types_json, allowed_cidrs_json, created_at, expires_at, " +
  "last_used_at, revoked_at, host_id, sign_alg, sign_key, require_signature";

function tokenWhere(db: Db, column: "id" | "secret_hash", value: string) {
  const row = db.get<Selectable<TokensTable>>(`select * from tokens where ${column} = ?`, value);
  return row && tokenFromRow(row);
}

export function sqliteTokens(db: Db): TokenStore {
  return {
    createToken(token) {
      return db.write("createToken", () => {
        try {
          db.run(`insert into tokens (${COLUMNS}) values (${named(COLUMNS)})`, tokenToRow(token));
        } catch (e) {
          if (isUniqueViolation(e))
            throw new BeaconError("token_exists", `token ${token.id} or its secret already exists`);
          throw e;
        }
      });
    },

    getToken(id) {
      return db.read("getToken", () => tokenWhere(db, "id", id));
    },

    findTokenBySecretHash(secretHash) {
      return db.read("findTokenBySecretHash", () => tokenWhere(db, "secret_hash", secretHash));
    },

    listTokens() {
      return db.read("listTokens", () =>
        db.all<Selectable<TokensTable>>("select * from tokens order by created_at, id").map(tokenFromRow),
      );
    },

    revokeToken(id, at) {
      return db.write(
        "revokeToken",
        () => db.run("update tokens set revoked_at = ? where id = ? and revoked_at is null", at, id) > 0,
      );
    },

    touchToken(id, at) {
      return db.write("touchToken", () => {
        db.run("update tokens set last_used_at = ? where id = ?", at, id);
      });
    },

    setTokenSigning(id, key, requireSignature) {
      return db.write(
        "setTokenSigning",
        () =>
          db.run(
            "update tokens set sign_alg = ?, sign_key = ?, require_signature = ? where id = ?",
            key?.alg ?? null,
            key?.key ?? null,
            requireSignature ? 1 : 0,
            id,
          ) > 0,
      );
    },
  };
}
