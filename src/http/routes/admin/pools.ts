// Health-checked pools in the admin API (docs/pools.md, "JSON API"):
//   GET    /pools                                  → { pools: [pool view] }
//   PUT    /pools/:name  {pool definition}         → 201 (created) or 200 { pool: spec, created }
//   GET    /pools/:name                            → { pool: pool view }
//   DELETE /pools/:name                            → 204
//   PUT    /pools/:name/members/:member/override { override } → { pool: pool view }
//   GET    /pools/:name/transitions?limit&before   → { transitions, next? } newest first
//   GET    /pools/:name/rollups?since              → { rollups } oldest first
// The definition is validated by PoolAdmin.put (invalid_pool naming the field); here it only has to be
// a JSON object within the body limit whose `name`, when given, is the path's name. Path parameters
// are checked before the service is called (pool-params.ts). Every change calls poolsChanged.

import type { Hono } from "hono";
import { z } from "zod";
import { BeaconError } from "../../../core/errors.js";
import { tryNormalizeName } from "../../../core/names.js";
import { readJsonBody } from "../../body.js";
import type { AppEnv } from "../../deps.js";
import { memberParam, poolNameParam, sinceQuery, transitionsQuery } from "../../pool-params.js";
import { parseBody } from "../../request-parse.js";
import type { AdminRouteDeps } from "./deps.js";
import { poolView, rollupView, transitionView } from "./pool-views.js";

const overrideBody = z.strictObject({
  override: z.enum(["none", "forced_up", "forced_down", "maintenance"]),
});

/** Registers nothing without `deps.pools`: the catch-all then answers 404 not_found. */
export function registerPoolRoutes(
  admin: Hono<AppEnv>,
  deps: Pick<AdminRouteDeps, "pools" | "poolsChanged" | "maxBodyBytes">,
): void {
  const pools = deps.pools;
  if (pools === undefined) return;
  const changed = () => deps.poolsChanged?.();

  const shown = async (name: string) => {
    const view = await pools.get(name);
    if (view === undefined) throw new BeaconError("pool_not_found", `no pool "${name}"`);
    return poolView(view);
  };

  admin.get("/pools", async (c) => c.json({ pools: (await pools.list()).map(poolView) }));

  admin.put("/pools/:name", async (c) => {
    const name = poolNameParam(c);
    const body = await readJsonBody(c.req.raw, deps.maxBodyBytes);
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new BeaconError("invalid_pool", "the pool definition must be a JSON object");
    const given: unknown = (body as Record<string, unknown>)["name"];
    if (given !== undefined && (typeof given !== "string" || tryNormalizeName(given) !== name))
      throw new BeaconError("invalid_pool", `name: must be the path's name "${name}" (or be left out)`);
    const { pool, created } = await pools.put({ ...body, name });
    changed();
    return c.json({ pool, created }, created ? 201 : 200);
  });

  admin.get("/pools/:name", async (c) => c.json({ pool: await shown(poolNameParam(c)) }));

  admin.delete("/pools/:name", async (c) => {
    const name = poolNameParam(c);
    if (!(await pools.delete(name))) throw new BeaconError("pool_not_found", `no pool "${name}"`);
    changed();
    return c.body(null, 204);
  });

  admin.put("/pools/:name/members/:member/override", async (c) => {
    const name = poolNameParam(c);
    const member = memberParam(c);
    const { override } = await parseBody(c, overrideBody, deps.maxBodyBytes);
    await pools.setOverride(name, member, override);
    changed();
    return c.json({ pool: await shown(name) });
  });

  admin.get("/pools/:name/transitions", async (c) => {
    const name = poolNameParam(c);
    const opts = transitionsQuery(c);
    const transitions = await pools.transitions(name, opts);
    const last = transitions.at(-1);
    return c.json({
      transitions: transitions.map(transitionView),
      ...(last === undefined || transitions.length < opts.limit ? {} : { next: last.id }),
    });
  });

  admin.get("/pools/:name/rollups", async (c) => {
    const name = poolNameParam(c);
    const rollups = await pools.rollups(name, sinceQuery(c));
    return c.json({ rollups: rollups.map(rollupView) });
  });
}
