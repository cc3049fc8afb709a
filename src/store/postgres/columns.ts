// Every table's columns by name, for the statements that read whole rows. PostgreSQL statements list
// the columns they read instead of `select *`: a node keeps a prepared statement per connection, and a
// prepared `select *` whose result gains a column (another node, newer, ran a migration) fails with
// "cached plan must not change result type" on every call after it. Listing the columns keeps an older
// node working against a schema a migration ahead (migrations only add: docs/deploy/several-nodes.md).
// Each list is checked against its row type in ../sql/schema.ts: a column added there must be added here.

import type {
  HistoryTable,
  HostFlagsTable,
  HostsTable,
  MirrorsTable,
  OutboxTable,
  RRSetsTable,
  SessionsTable,
  TokensTable,
  TsigKeysTable,
  UsersTable,
  ZonesTable,
} from "../sql/schema.js";
import type {
  PoolMemberHealthTable,
  PoolRollupsTable,
  PoolsTable,
  PoolTransitionsTable,
} from "../sql/pool-schema.js";

/** T's columns, from an object naming every column of T exactly once (the compiler checks both ways). */
function columns<T>(all: Record<keyof T & string, true>): readonly (keyof T & string)[] {
  return Object.keys(all) as (keyof T & string)[];
}

/** A select list: `"a", "b"` (quoted: sessions has a column "user", a reserved word). */
export function list(cols: readonly string[]): string {
  return cols.map((c) => `"${c}"`).join(", ");
}

export const ZONE_COLUMNS = columns<ZonesTable>({
  name: true,
  serial: true,
  ttl: true,
  mname: true,
  rname: true,
  refresh: true,
  retry: true,
  expire: true,
  minimum: true,
  nameservers_json: true,
  created_at: true,
});

export const HOST_COLUMNS = columns<HostsTable>({
  id: true,
  fqdn: true,
  zone: true,
  ttl: true,
  description: true,
  created_at: true,
  implicit: true,
});

export const RRSET_COLUMNS = columns<RRSetsTable>({
  fqdn: true,
  type: true,
  ttl: true,
  values_json: true,
  updated_at: true,
});

export const TOKEN_COLUMNS = columns<TokensTable>({
  id: true,
  secret_hash: true,
  label: true,
  names_json: true,
  types_json: true,
  allowed_cidrs_json: true,
  created_at: true,
  expires_at: true,
  last_used_at: true,
  revoked_at: true,
  host_id: true,
  sign_alg: true,
  sign_key: true,
  require_signature: true,
});

export const HISTORY_COLUMNS = columns<HistoryTable>({
  id: true,
  fqdn: true,
  host_id: true,
  seq: true,
  count: true,
  last_at: true,
  zone: true,
  type: true,
  old_values_json: true,
  new_values_json: true,
  at: true,
  outcome: true,
  protocol: true,
  token_id: true,
  source_ip: true,
  user_agent: true,
});

export const MIRROR_COLUMNS = columns<MirrorsTable>({
  id: true,
  zone: true,
  provider: true,
  settings_json: true,
  created_at: true,
  last_success_at: true,
  delivered: true,
  skipped: true,
  attempts: true,
  last_error_code: true,
  last_error_message: true,
  last_error_at: true,
  next_try_at: true,
  lease_owner: true,
  lease_until: true,
});

export const OUTBOX_COLUMNS = columns<OutboxTable>({
  seq: true,
  mirror: true,
  fqdn: true,
  type: true,
  ttl: true,
  values_json: true,
  created_at: true,
});

export const HOST_FLAG_COLUMNS = columns<HostFlagsTable>({ fqdn: true, flagged_at: true, reason: true });

export const POOL_COLUMNS = columns<PoolsTable>({
  name: true,
  spec_json: true,
  created_at: true,
  updated_at: true,
});

export const POOL_HEALTH_COLUMNS = columns<PoolMemberHealthTable>({
  pool: true,
  member: true,
  node: true,
  status: true,
  streak: true,
  rtt_ms: true,
  last_reason: true,
  last_probe_at: true,
  since: true,
  observed_at: true,
});

export const POOL_TRANSITION_COLUMNS = columns<PoolTransitionsTable>({
  id: true,
  at: true,
  pool: true,
  member: true,
  node: true,
  from_state: true,
  to_state: true,
  reason: true,
  rtt_ms: true,
});

export const POOL_ROLLUP_COLUMNS = columns<PoolRollupsTable>({
  pool: true,
  minute: true,
  member: true,
  node: true,
  ok: true,
  fail: true,
  rtt_min: true,
  rtt_max: true,
  rtt_sum: true,
});

export const TSIG_KEY_COLUMNS = columns<TsigKeysTable>({
  name: true,
  algorithm: true,
  secret: true,
  names_json: true,
  types_json: true,
  allowed_cidrs_json: true,
  created_at: true,
});

export const USER_COLUMNS = columns<UsersTable>({
  name: true,
  password_hash: true,
  role: true,
  created_at: true,
  password_changed_at: true,
});

export const SESSION_COLUMNS = columns<SessionsTable>({
  id_hash: true,
  user: true,
  csrf_token: true,
  created_at: true,
  last_seen_at: true,
  expires_at: true,
});
