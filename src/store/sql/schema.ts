// The tables' rows, the same columns in both SQL adapters, as their migrations and port modules see
// them (the DDL: sqlite/migrations/, postgres/migrations/). Timestamps are integer milliseconds since
// the Unix epoch; columns ending in _json hold JSON text.

import type { Generated } from "kysely";

export interface ZonesTable {
  name: string;
  serial: number;
  ttl: number;
  mname: string;
  rname: string;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
  /** string[] */
  nameservers_json: string;
  created_at: number;
}

export interface HostsTable {
  /** Never given twice (counters.host_id). */
  id: number;
  fqdn: string;
  zone: string;
  ttl: number | null;
  description: string;
  created_at: number;
  /** 0 | 1: created by an RFC 2136 UPDATE */
  implicit: number;
}

/** Named counters that only grow (host_id: the last Host.id given). */
export interface CountersTable {
  name: string;
  value: number;
}

export interface RRSetsTable {
  fqdn: string;
  type: string;
  ttl: number;
  /** string[], in the order given */
  values_json: string;
  updated_at: number;
}

export interface TokensTable {
  id: string;
  secret_hash: string;
  label: string;
  /** NameScope[] */
  names_json: string;
  /** RecordType[] */
  types_json: string;
  /** string[] */
  allowed_cidrs_json: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  /** hosts.id of the host the token was made for; revoked with it */
  host_id: number | null;
  /** SigningKey.alg, or null: no signing key (migration 0017) */
  sign_alg: string | null;
  /** SigningKey.key */
  sign_key: string | null;
  /** 0 or 1 */
  require_signature: number;
}

export interface HistoryTable {
  id: Generated<number>;
  fqdn: string;
  /** hosts.id of the host that had the name when the entry was written; null: none */
  host_id: number | null;
  /** Position in the host's history (1, 2, …), for retention by range; null without host_id */
  seq: number | null;
  /** Identical entries folded into this row */
  count: Generated<number>;
  /** Time of the last folded entry (at when count is 1) */
  last_at: number;
  /** The zone the entry belongs to when it was written (deleted with it on cascade); null: none. */
  zone: string | null;
  type: string;
  /** string[] | null */
  old_values_json: string | null;
  /** string[] | null */
  new_values_json: string | null;
  at: number;
  outcome: string;
  protocol: string;
  token_id: string | null;
  source_ip: string | null;
  user_agent: string | null;
}

export interface MirrorsTable {
  id: string;
  zone: string;
  provider: string;
  /** Record<string, unknown>, as the user gave it */
  settings_json: string;
  created_at: number;
  last_success_at: number | null;
  delivered: Generated<number>;
  skipped: Generated<number>;
  attempts: Generated<number>;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: number | null;
  next_try_at: number | null;
  /** the node delivering it (0009_mirror_leases); null: nobody */
  lease_owner: Generated<string | null>;
  lease_until: Generated<number | null>;
}

export interface OutboxTable {
  seq: Generated<number>;
  mirror: string;
  fqdn: string;
  type: string;
  /** null with values_json null (a delete) */
  ttl: number | null;
  /** string[]; null: delete the set */
  values_json: string | null;
  created_at: number;
}

/** The change log (migrations/0007_change_log.ts, 0011_change_values.ts), written by triggers only. */
export interface ChangesTable {
  seq: Generated<number>;
  zone: string | null;
  fqdn: string | null;
  /** insert, update or delete */
  op: string;
  at: number;
  /** From 0011_change_values: a record set's type; null for zone and host rows. */
  type: string | null;
  /** A zone row's serial after the change; null for a deleted zone and other rows. */
  serial: number | null;
  /** The zone or record-set row before / after the change as JSON text (columns as here); null: none. */
  old_value: string | null;
  new_value: string | null;
}

export interface Database {
  zones: ZonesTable;
  hosts: HostsTable;
  counters: CountersTable;
  rrsets: RRSetsTable;
  tokens: TokensTable;
  history: HistoryTable;
  mirrors: MirrorsTable;
  outbox: OutboxTable;
  tsig_keys: TsigKeysTable;
  users: UsersTable;
  sessions: SessionsTable;
  limit_buckets: LimitBucketsTable;
  changes: ChangesTable;
  host_flags: HostFlagsTable;
}

export interface LimitBucketsTable {
  key: string;
  /** ms since the epoch at which the bucket is full again */
  tat: number;
}

export interface HostFlagsTable {
  fqdn: string;
  flagged_at: number;
  reason: string;
}

export interface TsigKeysTable {
  name: string;
  algorithm: string;
  /** base64 */
  secret: string;
  /** NameScope[] */
  names_json: string;
  /** RecordType[] */
  types_json: string;
  /** string[] */
  allowed_cidrs_json: string;
  created_at: number;
}

export interface UsersTable {
  name: string;
  /** scrypt$N$r$p$salt$hash (services/auth/passwords.ts) */
  password_hash: string;
  role: string;
  created_at: number;
  password_changed_at: number;
}

export interface SessionsTable {
  /** hex SHA-256 of the cookie value */
  id_hash: string;
  user: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}
