// 0015_sample_credentials, as SQLite's (sqlite/migrations/0015_sample_credentials.ts): the AWS sample
// protocol's per-host shared secrets, one row per host name, checked against the host's id at use.

import type { PgMigration } from "../migrate.js";

export const sampleCredentials: PgMigration = `
create table sample_credentials (
  fqdn text primary key,
  secret text not null,    -- as given: the protocol's hash needs it
  host_id bigint not null, -- the Host.id it was made for
  created_at bigint not null,
  last_used_at bigint
);
`;
