// 0011_change_values, as SQLite's: the change log also carries what changed, so it is the durable
// IXFR journal (ChangeFeed.zoneLog). New columns, written by the trigger in the changing transaction:
// type (a record set's type), serial (a zone's serial after the change; null for a delete and other
// rows), old_value / new_value (the zone or record-set row before and after as JSON text, row_to_json:
// the table's column names, read back with sql/rows.ts; null when the row did not exist; host rows
// carry none). Indexes: (zone, seq) for a zone's rows; the rows without a zone, by seq.
// The trigger function keeps 0008's seq from the locked counter row and its pg_notify; `create or
// replace` swaps it in place, so the triggers themselves stay.

import type { PgMigration } from "../migrate.js";

export const changeValues: PgMigration = `
alter table changes add column type text, add column serial bigint,
  add column old_value text, add column new_value text;
create index changes_zone_seq on changes (zone, seq);
create index changes_no_zone on changes (seq) where zone is null;

create or replace function beacon_log_change() returns trigger language plpgsql as $$
declare
  r record;
  z text;
  f text;
  t text;
  sn bigint;
  ov text;
  nv text;
  s bigint;
begin
  if tg_op = 'DELETE' then r := old; else r := new; end if;
  if tg_table_name <> 'hosts' then
    if tg_op <> 'INSERT' then ov := row_to_json(old)::text; end if;
    if tg_op <> 'DELETE' then nv := row_to_json(new)::text; end if;
  end if;
  if tg_table_name = 'zones' then
    z := r.name;
    if tg_op <> 'DELETE' then sn := r.serial; end if;
  elsif tg_table_name = 'hosts' then
    z := r.zone;
    f := r.fqdn;
  else
    select h.zone into z from hosts h where h.fqdn = r.fqdn;
    f := r.fqdn;
    t := r.type;
  end if;
  update counters set value = value + 1 where name = 'change_seq' returning value into s;
  insert into changes (seq, zone, fqdn, op, at, writer, type, serial, old_value, new_value)
    values (s, z, f, lower(tg_op), (extract(epoch from clock_timestamp()) * 1000)::bigint,
      nullif(current_setting('beacon.writer', true), ''), t, sn, ov, nv);
  perform pg_notify('beacon_changes', coalesce(current_setting('beacon.writer', true), ''));
  return null;
end $$;
`;
