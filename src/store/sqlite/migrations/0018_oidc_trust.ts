// 0018_oidc_trust: trusted OpenID Connect issuers and their claim rules (TrustStore,
// services/oidc/). One row per rule id; the issuer and audience in columns of their own, the
// algorithms, claim conditions and scope as one JSON document (store/sql/trust-rows.ts).

import { sql, type Kysely, type Migration } from "kysely";

export const oidcTrust: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table trust_rules (
        id text primary key,
        issuer text not null,
        audience text not null,
        rule_json text not null,
        created_at integer not null
      )`.execute(db);
  },
};
