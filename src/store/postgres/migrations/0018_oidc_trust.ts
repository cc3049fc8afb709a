// 0018_oidc_trust, as SQLite's (sqlite/migrations/0018_oidc_trust.ts): trusted OIDC issuers and
// their claim rules, one row per rule id.

import type { PgMigration } from "../migrate.js";

export const oidcTrust: PgMigration = `
create table trust_rules (
  id text primary key,
  issuer text not null,
  audience text not null,
  rule_json text not null, -- algorithms, claim conditions, names, types (store/sql/trust-rows.ts)
  created_at bigint not null
);
`;
