// 0015_sample_credentials: the AWS sample protocol's per-host shared secrets (SampleCredentialStore,
// services/sample-compat.ts). One row per host name; host_id is the Host.id it was made for (a host
// deleted and re-created under the same name gets a new id, so its old credential no longer applies;
// no foreign key: the caller checks at use). The secret is stored as given: the protocol's hash needs it.

import { sql, type Kysely, type Migration } from "kysely";

export const sampleCredentials: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table sample_credentials (
        fqdn text primary key,
        secret text not null,
        host_id integer not null,
        created_at integer not null,
        last_used_at integer
      )`.execute(db);
  },
};
