// Hosts get an identity that outlives their name, and history becomes bounded, as SQLite's
// 0005_host_identity_history: hosts.id (never given twice: the counters row host_id only grows) and
// hosts.implicit (0 | 1, an integer as in SQLite, so rows read the same); tokens.host_id; history.host_id,
// seq (position in its host's history), count and last_at (repeats folded into one row). A PostgreSQL
// database starts empty (there is no older PostgreSQL schema), but the statements carry existing rows
// over as SQLite's do, so the migration stays correct whatever ran before it.

import type { PgMigration } from "../migrate.js";

export const hostIdentityHistory: PgMigration = `
alter table hosts add column id bigint;
alter table hosts add column implicit integer not null default 0;
update hosts set id = r.n from (select fqdn, row_number() over (order by created_at, fqdn) as n from hosts) r
  where r.fqdn = hosts.fqdn;
create unique index hosts_id on hosts (id);
create table counters (name text primary key, value bigint not null);
insert into counters (name, value) select 'host_id', coalesce(max(id), 0) from hosts;

alter table tokens add column host_id bigint;
update tokens set host_id = (select h.id from hosts h
  where tokens.label = 'host ' || h.fqdn
    and tokens.names_json = '[{"name":"' || h.fqdn || '","subtree":false}]');
create index tokens_host on tokens (host_id);

alter table history add column host_id bigint;
alter table history add column seq bigint;
alter table history add column count bigint not null default 1;
alter table history add column last_at bigint not null default 0;
update history set last_at = at, host_id = (select h.id from hosts h
  where h.fqdn = history.fqdn and h.created_at <= history.at);
update history set seq = r.n from (select id, row_number() over
  (partition by host_id order by id) as n from history where host_id is not null) as r
  where r.id = history.id;
create index history_host_seq on history (host_id, seq);
`;
