// JSON shapes of the pool routes (docs/pools.md, "JSON API"). Times are ISO 8601 strings, absent
// values null; the spec is the stored PoolSpec as it is (durations in ms, as in the pool definition).

import type { ProbeRollup } from "../../../core/pools.js";
import type { MemberView, PoolView } from "../../../services/health/ports.js";
import type { StoredTransition } from "../../../store/ports.js";
import { iso } from "./views.js";

function memberView(m: MemberView) {
  const local = m.local;
  return {
    id: m.id,
    addresses: [...m.addresses],
    host: m.host ?? null,
    priority: m.priority,
    weight: m.weight,
    status: m.status,
    override: m.override,
    local:
      local === undefined
        ? null
        : {
            status: local.status,
            streak: local.streak,
            rttMs: local.rttMs ?? null,
            lastReason: local.lastReason ?? null,
            lastProbeAt: iso(local.lastProbeAt),
            since: iso(local.since),
          },
    nodes: m.nodes.map((n) => ({ node: n.node, status: n.status, observedAt: iso(n.observedAt) })),
  };
}

export function poolView(p: PoolView) {
  return {
    spec: p.spec,
    members: p.members.map(memberView),
    published: p.published === undefined ? null : { values: [...p.published.values], ttl: p.published.ttl },
    allDown: p.allDown,
    leader: p.leader ?? null,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function transitionView(t: StoredTransition) {
  return {
    id: t.id,
    at: iso(t.at),
    member: t.member,
    node: t.node,
    from: t.from,
    to: t.to,
    reason: t.reason,
    rttMs: t.rttMs ?? null,
  };
}

export function rollupView(r: ProbeRollup) {
  return {
    member: r.member,
    node: r.node,
    minute: iso(r.minute),
    ok: r.ok,
    fail: r.fail,
    rttMinMs: r.rttMinMs ?? null,
    rttMaxMs: r.rttMaxMs ?? null,
    rttSumMs: r.rttSumMs,
  };
}
