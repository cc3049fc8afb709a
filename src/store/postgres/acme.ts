// AcmeStore in PostgreSQL, as sqlite/acme.ts (the same statements, sql/acme-rows.ts). The lease's
// update takes the row lock, so of several nodes claiming at once exactly one sees its row changed.

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

const SQL = acmeStatements((i) => `$${i}`);

export function pgAcme(db: Db): AcmeStore {
  return {
    getAcmeAccount(directoryUrl) {
      return db.read("getAcmeAccount", async (sql) => {
        const row = await sql.get<AcmeAccountRow>(SQL.getAccount, directoryUrl);
        return row === undefined ? undefined : acmeAccountFromRow(row);
      });
    },

    putAcmeAccount(account) {
      return db.write("putAcmeAccount", async (sql) => {
        await sql.run(SQL.putAccount, ...acmeAccountValues(account));
      });
    },

    getAcmeState(id) {
      return db.read("getAcmeState", async (sql) => {
        const row = await sql.get<AcmeStateRow>(SQL.getState, id);
        return row === undefined ? undefined : acmeStateFromRow(row);
      });
    },

    listAcmeStates() {
      return db.read("listAcmeStates", async (sql) =>
        (await sql.all<AcmeStateRow>(SQL.listStates)).map(acmeStateFromRow),
      );
    },

    saveAcmeCertificate(id, certificate) {
      return db.write("saveAcmeCertificate", async (sql) => {
        await sql.run(SQL.ensureState, id);
        await sql.run(SQL.saveCertificate, ...acmeCertificateValues(id, certificate));
      });
    },

    failAcme(id, failure) {
      return db.write("failAcme", async (sql) => {
        await sql.run(SQL.ensureState, id);
        await sql.run(SQL.fail, ...acmeFailureValues(id, failure));
      });
    },

    claimAcme(id, owner, now, leaseMs) {
      return db.write("claimAcme", async (sql) => {
        await sql.run(SQL.ensureState, id);
        return (await sql.run(SQL.claim, ...acmeClaimValues(id, owner, now, leaseMs))) > 0;
      });
    },

    releaseAcme(id, owner) {
      return db.write("releaseAcme", async (sql) => {
        await sql.run(SQL.release, id, owner);
      });
    },
  };
}
