// 0019_totp: admin users' TOTP second factor (issue 18). totp_factors holds the secret (base32, as given,
// like tsig_keys.secret: codes are computed from it), whether it is enabled (0 while enrolment waits
// for the first code) and the last accepted time step (replay); totp_recovery_codes the SHA-256 of each
// recovery code and when it was used; login_challenges the step between a right password and a right
// code (the SHA-256 of the challenge cookie). All die with their user (ON DELETE CASCADE).

import { sql, type Kysely, type Migration } from "kysely";

export const totp: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table totp_factors (
        user_name text primary key references users (name) on delete cascade,
        secret text not null,
        enabled integer not null,
        last_step integer,
        created_at integer not null,
        enabled_at integer
      )`.execute(db);
    await sql`
      create table totp_recovery_codes (
        user_name text not null references totp_factors (user_name) on delete cascade,
        code_hash text not null,
        used_at integer,
        primary key (user_name, code_hash)
      )`.execute(db);
    await sql`
      create table login_challenges (
        id_hash text primary key,
        user_name text not null references users (name) on delete cascade,
        created_at integer not null,
        expires_at integer not null
      )`.execute(db);
    await sql`create index login_challenges_user on login_challenges (user_name)`.execute(db);
  },
};
