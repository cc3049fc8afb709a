// TokenStore in PostgreSQL, as sqlite/tokens.ts: a token is found by its id or by its secret's hash
// (unique index, migration 0006), so the lookup costs the same whether the credential is right or
// wrong. Rows convert with SQLite's (sqlite/rows.ts): the columns are the same.

import type { Selectable } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { TokenStore } from "../ports.js";
import { tokenFromRow, tokenToRow } from "../sql/rows.js";
import type { TokensTable } from "../sql/schema.js";
import type { Db, Sql } from "./db.js";
import { isUniqueViolation } from "./errors.js";
import { TOKEN_COLUMNS, list } from "./columns.js";

const COLUMNS = [
  "id",
  "secret_hash",
  "label",
  "names_json",
  "types_json",
  "allowed_cidrs_json",
  "created_at",
  "expires_at",
  "last_used_at",
  "revoked_at",
  "host_id",
  "sign_alg",
  "sign_key",
  "require_signature",
] as const;
const INSERT = `insert into tokens (${COLUMNS.join(", ")}) values (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;

async function tokenWhere(sql: Sql, column: "id" | "secret_hash", value: string) {
  const row = await sql.get<Selectable<TokensTable>>(
    `select ${list(TOKEN_COLUMNS)} from tokens where ${column} = $1`,
    value,
  );
  return row && tokenFromRow(row);
}

export function pgTokens(db: Db): TokenStore {
  return {
    createToken(token) {
      return db.write("createToken", async (sql) => {
        const row = tokenToRow(token);
        try {
          await sql.run(INSERT, ...COLUMNS.map((c) => row[c]));
        } catch (e) {
          if (isUniqueViolation(e))
            throw new BeaconError("token_exists", `token ${token.id} or its secret already exists`);
          throw e;
        }
      });
    },

    getToken(id) {
      return db.read("getToken", (sql) => tokenWhere(sql, "id", id));
    },

    findTokenBySecretHash(secretHash) {
      return db.read("findTokenBySecretHash", (sql) => tokenWhere(sql, "secret_hash", secretHash));
    },

    listTokens() {
      return db.read("listTokens", async (sql) =>
        (
          await sql.all<Selectable<TokensTable>>(
            `select ${list(TOKEN_COLUMNS)} from tokens order by created_at, id`,
          )
        ).map(tokenFromRow),
      );
    },

    revokeToken(id, at) {
      return db.write(
        "revokeToken",
        async (sql) =>
          (await sql.run("update tokens set revoked_at = $1 where id = $2 and revoked_at is null", at, id)) >
          0,
      );
    },

    touchToken(id, at) {
      return db.write("touchToken", async (sql) => {
        await sql.run("update tokens set last_used_at = $1 where id = $2", at, id);
      });
    },

    setTokenSigning(id, key, requireSignature) {
      return db.write(
        "setTokenSigning",
        async (sql) =>
          (await sql.run(
            "update tokens set sign_alg = $1, sign_key = $2, require_signature = $3 where id = $4",
            key?.alg ?? null,
            key?.key ?? null,
            requireSignature ? 1 : 0,
            id,
          )) > 0,
      );
    },
  };
}
