// POST /api/v1/heartbeat: the agent on a line (or a router script) reports that the host is alive
// (docs/pools.md, "Heartbeats"). The name comes from a JSON body { "hostname": "…" } or, for curl
// one-liners, from `?hostname=` with an empty body (not both). Answers { hostname, pools }: the pools
// whose members follow the host. Counted by its own per-client limit, limits.client_heartbeat (index.ts).

import type { Context, Hono } from "hono";
import { z } from "zod";
import { BeaconError } from "../../../core/errors.js";
import { MAX_JSON_BODY, readBodyBytes } from "../../body.js";
import type { AppDeps, AppEnv } from "../../deps.js";
import { recordHeartbeat, type HeartbeatDeps } from "../../heartbeat.js";
import { parseBody } from "../../request-parse.js";
import { tokenOf } from "./auth.js";

const body = z.strictObject({ hostname: z.string().max(254) });

async function hostnameOf(c: Context<AppEnv>, maxBytes: number | undefined): Promise<string> {
  const query = c.req.query("hostname");
  if (query === undefined) return (await parseBody(c, body, maxBytes)).hostname;
  if ((await readBodyBytes(c.req.raw, maxBytes ?? MAX_JSON_BODY)).byteLength > 0)
    throw new BeaconError("bad_request", "give the hostname in the query or in the body, not both");
  return query;
}

export function registerHeartbeatRoute(
  v1: Hono<AppEnv>,
  deps: HeartbeatDeps & Pick<AppDeps, "maxBodyBytes">,
): void {
  v1.post("/heartbeat", async (c) => {
    const hostname = await hostnameOf(c, deps.maxBodyBytes);
    return c.json(await recordHeartbeat(deps, tokenOf(c), hostname));
  });
}
