// 0008_change_order: the change log's order is the commit order, so a reader that has seen seq n has
// seen every change numbered below n, and advancing its position past n never skips one.
//
// Before this, seq came from an identity when a row was written: two concurrent writers could take n
// and n+1, the second commit first, and a reader (changes.ts) would see n+1, move its position past n
// and miss n for good once n committed. Now the trigger draws seq from the counters row change_seq
// with `update … returning`: the row stays locked until the transaction ends, so a second transaction's
// first change waits there until the first has committed (or rolled back, which also rolls the counter
// back: no gaps any more). Seqs are therefore handed out in commit order, and a snapshot that sees seq
// n sees every lower one (the first transaction is visible before its lock is released).
//
// What it serialises: transactions that change zones, hosts or record sets, from their first such
// change to their commit, across all nodes — not reads, nor writes of other tables. Acceptable: those
// transactions already take their zones' row locks first (zone-locks.ts), so writers to one zone were
// serial before; what is new is that writers to different zones queue for the short rest of their
// transaction (a few statements and the commit, which a group commit may share). It adds no deadlock
// among Beacon's writers: each takes its zone locks before its first change, and after that only rows
// (tokens, history, outbox) whose writers either hold no zone-table change or wait here first; PostgreSQL
// would in any case detect one and fail one transaction rather than hang.
// The trigger also sends the wake-up for listening nodes (listener.ts): pg_notify on beacon_changes,
// delivered at commit (never for a rolled-back transaction), its payload the writer's id (beacon.writer,
// empty for others) so a node can skip its own; one per transaction, as PostgreSQL folds a
// transaction's identical notifications into one.
// The counter starts at the largest seq kept, so every position a reader holds stays valid. The identity
// column stays (a default nobody uses now), so 0007 is untouched. SQLite needs no change (its writes are
// one at a time, BEGIN IMMEDIATE): its 0008_change_order is a no-op that keeps the two name lists alike.

import type { PgMigration } from "../migrate.js";

export const changeOrder: PgMigration = `
insert into counters (name, value) select 'change_seq', coalesce(max(seq), 0) from changes;

create or replace function beacon_log_change() returns trigger language plpgsql as $$
declare
  r record;
  z text;
  f text;
  s bigint;
begin
  if tg_op = 'DELETE' then r := old; else r := new; end if;
  if tg_table_name = 'zones' then
    z := r.name;
  elsif tg_table_name = 'hosts' then
    z := r.zone;
    f := r.fqdn;
  else
    select h.zone into z from hosts h where h.fqdn = r.fqdn;
    f := r.fqdn;
  end if;
  update counters set value = value + 1 where name = 'change_seq' returning value into s;
  insert into changes (seq, zone, fqdn, op, at, writer)
    values (s, z, f, lower(tg_op), (extract(epoch from clock_timestamp()) * 1000)::bigint,
      nullif(current_setting('beacon.writer', true), ''));
  perform pg_notify('beacon_changes', coalesce(current_setting('beacon.writer', true), ''));
  return null;
end $$;
`;
