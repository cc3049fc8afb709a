// TrustStore in PostgreSQL, as sqlite/trust.ts: one row per rule id.

import { BeaconError } from "../../core/errors.js";
import type { TrustStore } from "../ports.js";
import { TRUST_COLUMNS, trustFromRow, trustValues, type TrustRow } from "../sql/trust-rows.js";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";

export function pgTrust(db: Db): TrustStore {
  return {
    createTrustRule(rule) {
      return db.write("createTrustRule", async (sql) => {
        try {
          await sql.run(
            `insert into trust_rules (${TRUST_COLUMNS}) values ($1, $2, $3, $4, $5)`,
            ...trustValues(rule),
          );
        } catch (e) {
          if (isUniqueViolation(e))
            throw new BeaconError("trust_exists", `trust rule ${rule.id} already exists`);
          throw e;
        }
      });
    },

    getTrustRule(id) {
      return db.read("getTrustRule", async (sql) => {
        const row = await sql.get<TrustRow>(`select ${TRUST_COLUMNS} from trust_rules where id = $1`, id);
        return row === undefined ? undefined : trustFromRow(row);
      });
    },

    listTrustRules() {
      return db.read("listTrustRules", async (sql) =>
        (await sql.all<TrustRow>(`select ${TRUST_COLUMNS} from trust_rules order by id`)).map(trustFromRow),
      );
    },

    deleteTrustRule(id) {
      return db.write(
        "deleteTrustRule",
        async (sql) => (await sql.run("delete from trust_rules where id = $1", id)) > 0,
      );
    },
  };
}
