// GET /api/v1/pools/:name/health: a pool's state for a token whose scope covers the pool's name (a
// monitoring script with a read token). Members show only id, status, since and rttMs — no addresses,
// no nodes; `published` is what the name answers in DNS anyway. Scope before existence, as for hosts.

import type { Hono } from "hono";
import { BeaconError } from "../../../core/errors.js";
import type { PoolAdmin, PoolView } from "../../../services/health/ports.js";
import { tokenCoversName } from "../../../services/scope.js";
import type { AppEnv } from "../../deps.js";
import { poolNameParam } from "../../pool-params.js";
import { tokenOf } from "./auth.js";

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** `since` and `rttMs` are this node's own view (null before it has probed the member). */
export function poolHealthView(p: PoolView) {
  return {
    pool: p.spec.name,
    members: p.members.map((m) => ({
      id: m.id,
      status: m.status,
      since: iso(m.local?.since),
      rttMs: m.local?.rttMs ?? null,
    })),
    published: p.published === undefined ? null : { values: [...p.published.values], ttl: p.published.ttl },
    allDown: p.allDown,
  };
}

export function registerPoolRoutes(v1: Hono<AppEnv>, deps: { readonly pools: Pick<PoolAdmin, "get"> }): void {
  v1.get("/pools/:name/health", async (c) => {
    const name = poolNameParam(c);
    if (!tokenCoversName(tokenOf(c), name))
      throw new BeaconError("forbidden", `the token does not cover "${name}"`);
    const view = await deps.pools.get(name);
    if (view === undefined) throw new BeaconError("pool_not_found", `no pool "${name}"`);
    return c.json(poolHealthView(view));
  });
}
