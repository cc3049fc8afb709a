// 0016_acme, as SQLite's (sqlite/migrations/0016_acme.ts): ACME accounts per directory and the state of
// each certificate Beacon orders, with its ordering lease.

import type { PgMigration } from "../migrate.js";

export const acme: PgMigration = `
create table acme_accounts (
  directory_url text primary key,
  key_pem text not null,
  account_url text,
  created_at bigint not null
);
create table acme_states (
  id text primary key,
  names_json text,
  chain_pem text,
  key_pem text,
  not_before bigint,
  not_after bigint,
  issued_at bigint,
  last_attempt_at bigint,
  last_error text,
  failures integer not null default 0,
  next_attempt_at bigint,
  lease_owner text,
  lease_until bigint
);
`;
