// 0012_settings_wakeups: a commit that changes what a running node keeps in memory besides the zones —
// TSIG keys (its keyring), the list of mirrors (its delivery worker), host flags (its update path) —
// wakes the other nodes too, as zone changes do (0008_change_order.ts). Without it a key added with
// `beacon key add` reached the nodes only with the next zone change or their periodic reconcile.
// The payload says which: `settings <writer>` (beacon.writer, empty for other clients), so the
// listener (listener.ts) can tell a settings change from a data change and skip its own. Statement
// triggers: one notification per statement, folded per transaction as PostgreSQL does. Mirrors notify
// on insert and delete only: their updates are delivery bookkeeping (counters, leases), many a minute.
// SQLite needs nothing (a running server notices every other writer's commit by its data version):
// its 0012_settings_wakeups is a no-op that keeps the two name lists alike.

import type { PgMigration } from "../migrate.js";

export const settingsWakeups: PgMigration = `
create function beacon_notify_settings() returns trigger language plpgsql as $$
begin
  perform pg_notify('beacon_changes', 'settings ' || coalesce(current_setting('beacon.writer', true), ''));
  return null;
end $$;

create trigger tsig_keys_wake after insert or update or delete on tsig_keys
  for each statement execute function beacon_notify_settings();
create trigger mirrors_wake after insert or delete on mirrors
  for each statement execute function beacon_notify_settings();
create trigger host_flags_wake after insert or update or delete on host_flags
  for each statement execute function beacon_notify_settings();
`;
