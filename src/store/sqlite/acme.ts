// AcmeStore in SQLite (store/acme.ts): accounts per directory, one state row per certificate, the
// ordering lease on that row. The statements are sql/acme-rows.ts's, shared with PostgreSQL.

import type { AcmeStore } from "../acme.js";
import {
  acmeAccountFromRow,
  acmeAccountValues,
  acmeCertificateValues,
  acmeClaimValues,
  acmeFailureValues,
  acmeStatements,
  acmeStateFromRow,
  type AcmeAccountRow,
  type AcmeStateRow,
} from "../sql/acme-rows.js";
import type { Db } from "./db.js";

const SQL = acmeStatements(() => "?");

export function sqliteAcme(db: Db): AcmeStore {
  return {
    getAcmeAccount(directoryUrl) {
      return db.read("getAcmeAccount", () => {
        const row = db.get<AcmeAccountRow>(SQL.getAccount, directoryUrl);
        return row === undefined ? undefined : acmeAccountFromRow(row);
      });
    },

    putAcmeAccount(account) {
      return db.write("putAcmeAccount", () => {
        db.run(SQL.putAccount, ...acmeAccountValues(account));
      });
    },

    getAcmeState(id) {
      return db.read("getAcmeState", () => {
        const row = db.get<AcmeStateRow>(SQL.getState, id);
        return row === undefined ? undefined : acmeStateFromRow(row);
      });
    },

    listAcmeStates() {
      return db.read("listAcmeStates", () => db.all<AcmeStateRow>(SQL.listStates).map(acmeStateFromRow));
    },

    saveAcmeCertificate(id, certificate) {
      return db.write("saveAcmeCertificate", () => {
        db.run(SQL.ensureState, id);
        db.run(SQL.saveCertificate, ...acmeCertificateValues(id, certificate));
      });
    },

    failAcme(id, failure) {
      return db.write("failAcme", () => {
        db.run(SQL.ensureState, id);
        db.run(SQL.fail, ...acmeFailureValues(id, failure));
      });
    },

    claimAcme(id, owner, now, leaseMs) {
      return db.write("claimAcme", () => {
        db.run(SQL.ensureState, id);
        return db.run(SQL.claim, ...acmeClaimValues(id, owner, now, leaseMs)) > 0;
      });
    },

    releaseAcme(id, owner) {
      return db.write("releaseAcme", () => {
        db.run(SQL.release, id, owner);
      });
    },
  };
}
