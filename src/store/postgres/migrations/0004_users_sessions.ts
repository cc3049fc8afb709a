// Admin-console users and their sessions, as SQLite's 0004_users_sessions: a session dies with its
// user (ON DELETE CASCADE). "user" is a reserved word in PostgreSQL: the column is always quoted.

import type { PgMigration } from "../migrate.js";

export const usersSessions: PgMigration = `
create table users (
  name text primary key,
  password_hash text not null,
  role text not null default 'admin',
  created_at bigint not null,
  password_changed_at bigint not null
);
create table sessions (
  id_hash text primary key,
  "user" text not null references users (name) on delete cascade,
  csrf_token text not null,
  created_at bigint not null,
  last_seen_at bigint not null,
  expires_at bigint not null
);
create index sessions_user on sessions ("user");
`;
