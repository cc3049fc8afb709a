// 0016_acme: automatic certificates (AcmeStore, store/acme.ts; services/acme). acme_accounts holds the
// account key and URL per CA directory; acme_states one row per certificate Beacon orders: the current
// chain and key (null until the first issue), how ordering went (backoff) and the ordering lease (which
// node orders: lease_owner until lease_until, as mirrors' 0009). Keys are PEM, stored as given (as TSIG
// secrets are).

import { sql, type Kysely, type Migration } from "kysely";

export const acme: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table acme_accounts (
        directory_url text primary key,
        key_pem text not null,
        account_url text,
        created_at integer not null
      )`.execute(db);
    await sql`
      create table acme_states (
        id text primary key,
        names_json text,
        chain_pem text,
        key_pem text,
        not_before integer,
        not_after integer,
        issued_at integer,
        last_attempt_at integer,
        last_error text,
        failures integer not null default 0,
        next_attempt_at integer,
        lease_owner text,
        lease_until integer
      )`.execute(db);
  },
};
