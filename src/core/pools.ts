// Health-checked pools: an owner name and type (A/AAAA) whose answer is chosen from members by a
// steering policy, following what probes observe (docs/pools.md). These are the domain types and
// their defaults; the rules are in services/health/ (state machine, steering, TTL, quorum), the
// probes in net/probes/, the tables in the store (PoolStore).
//
// The chosen set is published as an ordinary record set of the pool's owner name, written through the
// update service (protocol "pool"): history, the change log, NOTIFY/IXFR to secondaries and mirrors
// follow it like any other change.

export const STEERING_POLICIES = ["failover", "weighted", "all", "hashed", "fastest"] as const;
export type Steering = (typeof STEERING_POLICIES)[number];

/**
 * What a pool answers when no member is usable: "all" every member (fail open, Route 53's rule),
 * "first" the members of the best priority group, "fallback" the pool's fallback addresses,
 * "nodata" no address (the name answers NOERROR with no records).
 */
export const ALL_DOWN_BEHAVIOURS = ["all", "first", "fallback", "nodata"] as const;
export type WhenAllDown = (typeof ALL_DOWN_BEHAVIOURS)[number];

export const CHECK_TYPES = ["tcp", "http", "https", "dns", "heartbeat", "icmp", "none"] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

/** How members are probed. Durations in ms. Fields that do not apply to `type` are absent. */
export interface CheckSpec {
  readonly type: CheckType;
  /** tcp/http/https/dns: the port dialled (defaults: http 80, https 443, dns 53; tcp has none). */
  readonly port?: number;
  /** http/https: the request path (default "/"). */
  readonly path?: string;
  /** http/https: the Host header and TLS SNI (default: the pool's owner name). */
  readonly host?: string;
  /**
   * http/https: accepted status codes, as "2xx", "200", "200-299" or a comma list of those
   * (default "2xx"). Redirects count as failures unless listed.
   */
  readonly expect?: string;
  /** http/https: a substring the first 5,120 bytes of the body must contain. */
  readonly body?: string;
  /** https: verify the certificate against `host` (default true). */
  readonly tlsVerify?: boolean;
  /** dns: the name asked (default: the pool's owner name); any NOERROR answer with records is up. */
  readonly query?: string;
  /** heartbeat: a member is up while its host's last heartbeat is at most this old (default 2 × interval). */
  readonly maxAgeMs?: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive successes that bring a down (or unknown) member up. */
  readonly rise: number;
  /** Consecutive failures that bring an up (or unknown) member down. */
  readonly fall: number;
}

export const CHECK_DEFAULTS = {
  intervalMs: 10_000,
  timeoutMs: 3_000,
  rise: 2,
  fall: 3,
  /** Shortest interval allowed. */
  minIntervalMs: 1_000,
} as const;

/**
 * One member: a static address, or a live host whose record set of the pool's type supplies its
 * addresses (each WAN line's agent keeps its own host; the pool combines the lines).
 */
export interface MemberSpec {
  /** Unique in the pool: [a-z0-9_-]{1,63}. */
  readonly id: string;
  readonly address?: string;
  /** Canonical fqdn of a host in one of our zones. */
  readonly host?: string;
  /** Lower is preferred (failover groups); default 1. */
  readonly priority: number;
  /** Relative share for "weighted" (0..1000, default 1); 0 = used only when nothing else is up. */
  readonly weight: number;
}

export interface PoolSpec {
  /** Canonical fqdn of the owner name; a host of that name is created in its zone if absent. */
  readonly name: string;
  readonly type: "A" | "AAAA";
  readonly steering: Steering;
  readonly whenAllDown: WhenAllDown;
  /** Addresses answered when whenAllDown is "fallback". */
  readonly fallback: readonly string[];
  /** Most addresses in one answer ("all", "weighted", "hashed" publish up to this many). */
  readonly maxAnswers: number;
  /** The answer TTL is clamped to [ttlMin, ttlMax] seconds (gdnsd's rule, services/health/ttl.ts). */
  readonly ttlMin: number;
  readonly ttlMax: number;
  readonly check: CheckSpec;
  readonly members: readonly MemberSpec[];
}

export const POOL_DEFAULTS = {
  steering: "failover",
  whenAllDown: "all",
  maxAnswers: 8,
  ttlMax: 60,
  ttlMin: 30,
  maxMembers: 64,
} as const;

/** A member's health as probes see it. "unknown": no verdict yet (counts as usable, forces ttlMin). */
export type HealthStatus = "unknown" | "up" | "down";

/** An administrator's override, kept in the store: it wins over probes. */
export type AdminOverride = "none" | "forced_up" | "forced_down" | "maintenance";

/** One probe's result. */
export interface ProbeSample {
  readonly ok: boolean;
  /** Round-trip time of a successful probe, ms. */
  readonly rttMs?: number;
  /** Why it failed, short and stable ("timeout", "refused", "status 503", "body mismatch", …). */
  readonly reason?: string;
  readonly at: number;
}

/** A member's state as one node keeps it (persisted, so a restart resumes from it). */
export interface MemberHealth {
  readonly pool: string;
  readonly member: string;
  readonly status: HealthStatus;
  /** Consecutive successes (while not up) or failures (while not down) counted toward a change. */
  readonly streak: number;
  /** Smoothed RTT (EWMA, α 0.3) of successful probes, ms; undefined before the first one. */
  readonly rttMs?: number;
  readonly lastReason?: string;
  readonly lastProbeAt?: number;
  /** When `status` last changed. */
  readonly since: number;
}

/** Per-minute probe roll-up of one member as one node probed it ("canary results"). */
export interface ProbeRollup {
  readonly pool: string;
  readonly member: string;
  readonly node: string;
  /** Start of the minute, ms since the epoch (a multiple of 60,000). */
  readonly minute: number;
  readonly ok: number;
  readonly fail: number;
  /** Over the successful probes of the minute; absent when ok = 0. */
  readonly rttMinMs?: number;
  readonly rttMaxMs?: number;
  readonly rttSumMs: number;
}

/** An append-only record of a change of a member's effective state (or of an override). */
export interface HealthTransition {
  readonly at: number;
  readonly pool: string;
  readonly member: string;
  /** The node that saw it (serve's node id). */
  readonly node: string;
  readonly from: HealthStatus | AdminOverride;
  readonly to: HealthStatus | AdminOverride;
  readonly reason: string;
  readonly rttMs?: number;
}
