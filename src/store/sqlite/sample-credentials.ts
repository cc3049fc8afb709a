// SampleCredentialStore in SQLite: the AWS sample protocol's secrets, one row per host name.

import type { SampleCredentialStore } from "../ports.js";
import {
  SAMPLE_CREDENTIAL_COLUMNS,
  sampleCredentialFromRow,
  sampleCredentialValues,
  type SampleCredentialRow,
} from "../sql/sample-credential-rows.js";
import type { Db } from "./db.js";

export function sqliteSampleCredentials(db: Db): SampleCredentialStore {
  return {
    putSampleCredential(credential) {
      return db.write("putSampleCredential", () => {
        db.run(
          `insert or replace into sample_credentials (${SAMPLE_CREDENTIAL_COLUMNS}) values (?, ?, ?, ?, ?)`,
          ...sampleCredentialValues(credential),
        );
      });
    },

    getSampleCredential(fqdn) {
      return db.read("getSampleCredential", () => {
        const row = db.get<SampleCredentialRow>(
          `select ${SAMPLE_CREDENTIAL_COLUMNS} from sample_credentials where fqdn = ?`,
          fqdn,
        );
        return row === undefined ? undefined : sampleCredentialFromRow(row);
      });
    },

    listSampleCredentials() {
      return db.read("listSampleCredentials", () =>
        db
          .all<SampleCredentialRow>(
            `select ${SAMPLE_CREDENTIAL_COLUMNS} from sample_credentials order by fqdn`,
          )
          .map(sampleCredentialFromRow),
      );
    },

    deleteSampleCredential(fqdn) {
      return db.write(
        "deleteSampleCredential",
        () => db.run("delete from sample_credentials where fqdn = ?", fqdn) > 0,
      );
    },

    touchSampleCredential(fqdn, at) {
      return db.write("touchSampleCredential", () => {
        db.run("update sample_credentials set last_used_at = ? where fqdn = ?", at, fqdn);
      });
    },
  };
}
