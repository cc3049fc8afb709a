// 0019_totp, as SQLite's (sqlite/migrations/0019_totp.ts): admin users' TOTP factor (secret as given,
// like tsig_keys.secret), its recovery codes (SHA-256 only) and the sign-in challenges between password
// and code. All die with their user (ON DELETE CASCADE).

import type { PgMigration } from "../migrate.js";

export const totp: PgMigration = `
create table totp_factors (
  user_name text primary key references users (name) on delete cascade,
  secret text not null,     -- base32, as given: codes are computed from it
  enabled smallint not null, -- 0 while enrolment waits for the first code
  last_step bigint,          -- the last accepted time step (replay)
  created_at bigint not null,
  enabled_at bigint
);
create table totp_recovery_codes (
  user_name text not null references totp_factors (user_name) on delete cascade,
  code_hash text not null,   -- hex SHA-256 of the code
  used_at bigint,
  primary key (user_name, code_hash)
);
create table login_challenges (
  id_hash text primary key,  -- hex SHA-256 of the challenge cookie
  user_name text not null references users (name) on delete cascade,
  created_at bigint not null,
  expires_at bigint not null
);
create index login_challenges_user on login_challenges (user_name);
`;
