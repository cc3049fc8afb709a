// The health service's ports: how it probes (net/probes/ implements Prober), and what the HTTP routes
// and the CLI use of it (PoolAdmin, Heartbeats; implemented by services/health/admin.ts over the
// store). docs/pools.md describes the behaviour.

import type {
  AdminOverride,
  CheckSpec,
  HealthStatus,
  MemberHealth,
  PoolSpec,
  ProbeRollup,
  ProbeSample,
} from "../../core/pools.js";
import type { StoredTransition } from "../../store/ports.js";

/** What one probe dials: one address of a member, with the pool's check. */
export interface ProbeTarget {
  /** Canonical IPv4 or IPv6 address. */
  readonly address: string;
  readonly check: CheckSpec;
  /** The pool's owner name: the default Host header, TLS SNI and DNS question. */
  readonly poolName: string;
}

/**
 * Runs one probe of `check.type` (tcp, http, https, dns, icmp) against the target, giving up after
 * check.timeoutMs (or when `signal` aborts). Never rejects: a failure is { ok: false, reason }.
 * `at` is filled in by the caller.
 */
export type Prober = (target: ProbeTarget, signal?: AbortSignal) => Promise<Omit<ProbeSample, "at">>;

/** A member as the API and console show it. */
export interface MemberView {
  readonly id: string;
  /** Static address, or the host's current addresses of the pool's type (empty: the host has none). */
  readonly addresses: readonly string[];
  readonly host?: string;
  readonly priority: number;
  readonly weight: number;
  /** After quorum and override: what steering used. */
  readonly status: HealthStatus;
  readonly override: AdminOverride;
  /** This node's own view (streak, RTT, last reason…), when it has probed the member. */
  readonly local?: MemberHealth;
  /** Every node's saved view (several nodes), sorted by node. */
  readonly nodes: readonly {
    readonly node: string;
    readonly status: HealthStatus;
    readonly observedAt: number;
  }[];
}

export interface PoolView {
  readonly spec: PoolSpec;
  readonly members: readonly MemberView[];
  /** What the owner name answers now (as published), or undefined when nothing is published. */
  readonly published: { readonly values: readonly string[]; readonly ttl: number } | undefined;
  /** No member is usable: whenAllDown applies. */
  readonly allDown: boolean;
  /** steering "fastest": the member answered. */
  readonly leader?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Managing pools: the admin JSON routes and `beacon pool` use this. */
export interface PoolAdmin {
  /**
   * Validates `input` (the JSON shape in docs/pools.md; BeaconError invalid_pool naming the field),
   * creates the owner host when it does not exist (outside_zone when no zone holds it), and creates or
   * replaces the pool.
   */
  put(input: unknown): Promise<{ readonly pool: PoolSpec; readonly created: boolean }>;
  get(name: string): Promise<PoolView | undefined>;
  list(): Promise<PoolView[]>;
  /** Deletes the pool (its published set stays as an ordinary record set). Resolves false if absent. */
  delete(name: string): Promise<boolean>;
  /** pool_not_found / member_not_found when absent. */
  setOverride(pool: string, member: string, override: AdminOverride): Promise<void>;
  /** pool_not_found when absent. Newest first. */
  transitions(
    pool: string,
    opts: { readonly limit: number; readonly before?: number },
  ): Promise<StoredTransition[]>;
  /** pool_not_found when absent. Roll-ups of the last `sinceMs` ms, oldest first. */
  rollups(pool: string, sinceMs: number): Promise<ProbeRollup[]>;
}

/** Push health: the agent on a line (or any client holding a token for the host) reports it is alive. */
export interface Heartbeats {
  /**
   * Records a heartbeat for the host now. Resolves with the pools (names) whose members follow the
   * host with a heartbeat check; empty when none does (the heartbeat is still recorded).
   */
  beat(fqdn: string): Promise<readonly string[]>;
}
