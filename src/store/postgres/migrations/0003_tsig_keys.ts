// TSIG keys for RFC 2136 UPDATE, as SQLite's 0003_tsig_keys.

import type { PgMigration } from "../migrate.js";

export const tsigKeys: PgMigration = `
create table tsig_keys (
  name text primary key,
  algorithm text not null,
  secret text not null,
  names_json text not null,
  types_json text not null,
  allowed_cidrs_json text not null,
  created_at bigint not null
);
`;
