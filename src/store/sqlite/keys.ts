// TSIG keys in SQLite. Each function takes the database (or transaction) it works in.

import type { Kysely, Selectable, Transaction } from "kysely";

import { BeaconError } from "../../core/errors.js";
import type { TsigKeyRecord } from "../types.js";
import { isUniqueViolation } from "./errors.js";
import { parseScopes, parseStrings, parseTypes } from "./rows.js";
import type { Database, TsigKeysTable } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

function keyFromRow(r: Selectable<TsigKeysTable>): TsigKeyRecord {
  return {
    name: r.name,
    algorithm: r.algorithm,
    secret: r.secret,
    names: parseScopes(r.names_json, "tsig_keys.names_json"),
    types: parseTypes(r.types_json, "tsig_keys.types_json"),
    allowedCidrs: parseStrings(r.allowed_cidrs_json, "tsig_keys.allowed_cidrs_json"),
    createdAt: r.created_at,
  };
}

export async function createTsigKey(db: Db, key: TsigKeyRecord): Promise<void> {
  try {
    await db
      .insertInto("tsig_keys")
      .values({
        name: key.name,
        algorithm: key.algorithm,
        secret: key.secret,
        names_json: JSON.stringify(key.names),
        types_json: JSON.stringify(key.types),
        allowed_cidrs_json: JSON.stringify(key.allowedCidrs),
        created_at: key.createdAt,
      })
      .execute();
  } catch (e) {
    if (isUniqueViolation(e)) throw new BeaconError("key_exists", `a key named ${key.name} already exists`);
    throw e;
  }
}

export async function listTsigKeys(db: Db): Promise<TsigKeyRecord[]> {
  const rows = await db.selectFrom("tsig_keys").selectAll().orderBy("name").execute();
  return rows.map(keyFromRow);
}

export async function deleteTsigKey(db: Db, name: string): Promise<boolean> {
  const r = await db.deleteFrom("tsig_keys").where("name", "=", name).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
