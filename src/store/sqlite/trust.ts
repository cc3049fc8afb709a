// TrustStore in SQLite: trusted OIDC issuers and their claim rules, one row per rule id.

import { BeaconError } from "../../core/errors.js";
import type { TrustStore } from "../ports.js";
import { TRUST_COLUMNS, trustFromRow, trustValues, type TrustRow } from "../sql/trust-rows.js";
import type { Db } from "./db.js";
import { isUniqueViolation } from "./errors.js";

export function sqliteTrust(db: Db): TrustStore {
  return {
    createTrustRule(rule) {
      return db.write("createTrustRule", () => {
        try {
          db.run(`insert into trust_rules (${TRUST_COLUMNS}) values (?, ?, ?, ?, ?)`, ...trustValues(rule));
        } catch (e) {
          if (isUniqueViolation(e))
            throw new BeaconError("trust_exists", `trust rule ${rule.id} already exists`);
          throw e;
        }
      });
    },

    getTrustRule(id) {
      return db.read("getTrustRule", () => {
        const row = db.get<TrustRow>(`select ${TRUST_COLUMNS} from trust_rules where id = ?`, id);
        return row === undefined ? undefined : trustFromRow(row);
      });
    },

    listTrustRules() {
      return db.read("listTrustRules", () =>
        db.all<TrustRow>(`select ${TRUST_COLUMNS} from trust_rules order by id`).map(trustFromRow),
      );
    },

    deleteTrustRule(id) {
      return db.write("deleteTrustRule", () => db.run("delete from trust_rules where id = ?", id) > 0);
    },
  };
}
