// The health-checked pools' tables (migration 0013_pools), the same columns in both SQL adapters, as
// their port modules (sqlite/pools.ts, postgres/pools.ts) see them. Timestamps are integer
// milliseconds since the Unix epoch; rtt columns are REAL / double precision (fractional ms). Every
// table but heartbeats and pool_publisher belongs to a pool and goes with it (ON DELETE CASCADE).

export interface PoolsTable {
  /** The owner fqdn. */
  name: string;
  /** PoolSpec as JSON text: the member ids come from here. */
  spec_json: string;
  created_at: number;
  updated_at: number;
}

export interface PoolOverridesTable {
  pool: string;
  member: string;
  /** AdminOverride other than "none" (clearing deletes the row). */
  override: string;
  at: number;
}

/** One node's state of one member (PK pool, member, node). */
export interface PoolMemberHealthTable {
  pool: string;
  member: string;
  node: string;
  /** HealthStatus */
  status: string;
  streak: number;
  rtt_ms: number | null;
  last_reason: string | null;
  last_probe_at: number | null;
  since: number;
  observed_at: number;
}

export interface PoolTransitionsTable {
  /** Increasing, never reused. */
  id: number;
  at: number;
  pool: string;
  member: string;
  node: string;
  /** HealthStatus | AdminOverride */
  from_state: string;
  to_state: string;
  reason: string;
  rtt_ms: number | null;
}

/** Per-minute probe counts (PK pool, minute, member, node); min/max null until a success. */
export interface PoolRollupsTable {
  pool: string;
  minute: number;
  member: string;
  node: string;
  ok: number;
  fail: number;
  rtt_min: number | null;
  rtt_max: number | null;
  rtt_sum: number;
}

export interface HeartbeatsTable {
  fqdn: string;
  /** The newest heartbeat's time. */
  at: number;
}

/** At most one row (id = 1): who publishes the pools' answers, until when. No row: nobody. */
export interface PoolPublisherTable {
  id: number;
  lease_owner: string;
  lease_until: number;
}
