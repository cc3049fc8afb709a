// Recording a heartbeat for a host on behalf of a token (POST /api/v1/heartbeat, GET /nic/heartbeat).
// The token must be allowed to update the host: its scope covers the name with at least one record
// type, and a token made for a host acts only on that host (the update routes' checks). The scope is
// checked before existence, so a token cannot probe for hosts outside it. A heartbeat does not go
// through the update service: it changes no record, so the per-host update limits never see it.

import { BeaconError } from "../core/errors.js";
import { normalizeName } from "../core/names.js";
import type { Heartbeats } from "../services/health/ports.js";
import { tokenAllows, tokenBoundTo } from "../services/scope.js";
import type { ZoneService } from "../services/zones.js";
import type { TokenRecord } from "../store/types.js";

export interface HeartbeatDeps {
  readonly zones: Pick<ZoneService, "showHost">;
  readonly heartbeats: Heartbeats;
}

/**
 * Records the heartbeat; resolves with the canonical name and the pools that follow it. Throws
 * invalid_hostname, forbidden or host_not_found (nothing recorded).
 */
export async function recordHeartbeat(
  deps: HeartbeatDeps,
  token: TokenRecord,
  rawName: string,
): Promise<{ readonly hostname: string; readonly pools: readonly string[] }> {
  const fqdn = normalizeName(rawName);
  if (!token.types.some((type) => tokenAllows(token, fqdn, type)))
    throw new BeaconError("forbidden", `the token may not update "${fqdn}"`);
  const { host } = await deps.zones.showHost(fqdn);
  if (!tokenBoundTo(token, host))
    throw new BeaconError("forbidden", `the token was made for an earlier "${fqdn}"`);
  return { hostname: fqdn, pools: [...(await deps.heartbeats.beat(fqdn))] };
}
