// Authentication by index and update limits, as SQLite's 0006_limits: tokens found by the unique
// SHA-256 of their secret, rate-limit buckets that outlive a restart, host flags (dying with the host).

import type { PgMigration } from "../migrate.js";

export const limits: PgMigration = `
create unique index tokens_secret_hash on tokens (secret_hash);
create table limit_buckets (key text primary key, tat bigint not null);
create table host_flags (
  fqdn text primary key references hosts (fqdn) on delete cascade,
  flagged_at bigint not null,
  reason text not null
);
`;
