// SampleCredentialStore in PostgreSQL, as sqlite/sample-credentials.ts: one row per host name.

import type { SampleCredentialStore } from "../ports.js";
import {
  SAMPLE_CREDENTIAL_COLUMNS,
  sampleCredentialFromRow,
  sampleCredentialValues,
  type SampleCredentialRow,
} from "../sql/sample-credential-rows.js";
import type { Db } from "./db.js";

export function pgSampleCredentials(db: Db): SampleCredentialStore {
  return {
    putSampleCredential(credential) {
      return db.write("putSampleCredential", async (sql) => {
        await sql.run(
          `insert into sample_credentials (${SAMPLE_CREDENTIAL_COLUMNS}) values ($1, $2, $3, $4, $5) ` +
            "on conflict (fqdn) do update set secret = excluded.secret, host_id = excluded.host_id, " +
            "created_at = excluded.created_at, last_used_at = excluded.last_used_at",
          ...sampleCredentialValues(credential),
        );
      });
    },

    getSampleCredential(fqdn) {
      return db.read("getSampleCredential", async (sql) => {
        const row = await sql.get<SampleCredentialRow>(
          `select ${SAMPLE_CREDENTIAL_COLUMNS} from sample_credentials where fqdn = $1`,
          fqdn,
        );
        return row === undefined ? undefined : sampleCredentialFromRow(row);
      });
    },

    listSampleCredentials() {
      return db.read("listSampleCredentials", async (sql) =>
        (
          await sql.all<SampleCredentialRow>(
            `select ${SAMPLE_CREDENTIAL_COLUMNS} from sample_credentials order by fqdn`,
          )
        ).map(sampleCredentialFromRow),
      );
    },

    deleteSampleCredential(fqdn) {
      return db.write(
        "deleteSampleCredential",
        async (sql) => (await sql.run("delete from sample_credentials where fqdn = $1", fqdn)) > 0,
      );
    },

    touchSampleCredential(fqdn, at) {
      return db.write("touchSampleCredential", async (sql) => {
        await sql.run("update sample_credentials set last_used_at = $1 where fqdn = $2", at, fqdn);
      });
    },
  };
}
