// Which addresses a pool publishes, given each member's effective status (docs/pools.md "Steering
// policies" and "When every member is down"). Pure: the publisher passes the members (in spec order,
// status after quorum and override, the addresses a static member has or its host holds now) and
// writes `values` as the owner name's record set.
//
// Promises: a member is usable when it is up or unknown and has at least one address of the pool's
// type; `values` are canonical, deduplicated, sorted (String order, like core/records.ts) and at most
// spec.maxAnswers, the cap keeping the first addresses in member (spec) order, then address order, so
// the same input always publishes the same set. Per-query choice (weighted, hashed) is the DNS answer
// path's job: steering gives it the eligible set.

import { parseIp } from "../../core/ip.js";
import type { HealthStatus, MemberSpec, PoolSpec } from "../../core/pools.js";

export interface SteeringInput {
  readonly spec: PoolSpec;
  readonly members: readonly {
    readonly spec: MemberSpec;
    readonly addresses: readonly string[];
    readonly status: HealthStatus;
  }[];
  /** steering "fastest": the leader chosen by chooseFastest (fastest.ts). */
  readonly leader?: string;
}

export interface SteeringResult {
  readonly values: string[];
  /** No member is usable: spec.whenAllDown decided `values`. */
  readonly allDown: boolean;
  /** Ids of the usable members, in spec order. */
  readonly usable: string[];
}

interface Member {
  readonly spec: MemberSpec;
  readonly addresses: readonly string[];
}

export function steer(input: SteeringInput): SteeringResult {
  const { spec } = input;
  const family = spec.type === "A" ? 4 : 6;
  const members: (Member & { readonly status: HealthStatus })[] = input.members.map((m) => ({
    spec: m.spec,
    status: m.status,
    addresses: m.addresses.flatMap((a) => {
      const ip = parseIp(a);
      return ip?.family === family ? [ip.text] : [];
    }),
  }));
  const reachable = members.filter((m) => m.addresses.length > 0);
  const usable = reachable.filter((m) => m.status !== "down");
  const ids = usable.map((m) => m.spec.id);
  if (usable.length === 0) {
    return { values: cap(allDownAnswer(spec, reachable), spec.maxAnswers), allDown: true, usable: ids };
  }
  return {
    values: cap(addressesOf(choose(spec, usable, input.leader)), spec.maxAnswers),
    allDown: false,
    usable: ids,
  };
}

function choose(spec: PoolSpec, usable: readonly Member[], leader: string | undefined): readonly Member[] {
  switch (spec.steering) {
    case "failover":
      return bestPriority(usable);
    case "all":
      return usable;
    case "weighted":
    case "hashed": {
      // Route 53's rule: weight-0 members serve only when no weighted member is usable.
      const weighted = usable.filter((m) => m.spec.weight > 0);
      return weighted.length > 0 ? weighted : usable;
    }
    case "fastest": {
      const lead = usable.find((m) => m.spec.id === leader);
      return lead === undefined ? bestPriority(usable) : [lead];
    }
  }
}

function allDownAnswer(spec: PoolSpec, reachable: readonly Member[]): readonly string[] {
  switch (spec.whenAllDown) {
    case "all":
      return addressesOf(reachable);
    case "first":
      return addressesOf(bestPriority(reachable));
    case "fallback":
      return spec.fallback;
    case "nodata":
      return [];
  }
}

/** The members sharing the lowest priority value (members without an address are passed over). */
function bestPriority(members: readonly Member[]): readonly Member[] {
  const best = Math.min(...members.map((m) => m.spec.priority));
  return members.filter((m) => m.spec.priority === best);
}

function addressesOf(members: readonly Member[]): string[] {
  return members.flatMap((m) => m.addresses);
}

/** The first `max` distinct addresses, sorted. */
function cap(addresses: readonly string[], max: number): string[] {
  return [...new Set(addresses)].slice(0, max).sort();
}
