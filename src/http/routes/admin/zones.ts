// Zones in the admin API:
//   GET    /zones                       → { zones: [zone view] }
//   POST   /zones  { name, ttl?, nameservers? } → 201 { zone }
//   DELETE /zones/:name?cascade=1       → 204 (zone_not_empty without cascade while it has hosts)

import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../deps.js";
import type { AdminRouteDeps } from "./deps.js";
import { flagQuery, parseBody } from "../../request-parse.js";
import { zoneView } from "./views.js";

const name = z.string().max(253);
const createBody = z.strictObject({
  name,
  // Range and integrality are the zone service's (invalid_ttl), not a generic bad_request.
  ttl: z.number().optional(),
  nameservers: z.array(name).min(1).max(16).optional(),
});

export function registerZoneRoutes(admin: Hono<AppEnv>, deps: AdminRouteDeps): void {
  admin.get("/zones", async (c) => {
    const [zones, hosts, mirrors] = await Promise.all([
      deps.zones.listZones(),
      deps.store.listHosts(),
      deps.store.listMirrors(),
    ]);
    const count = (list: readonly { zone: string }[], zone: string) =>
      list.filter((x) => x.zone === zone).length;
    return c.json({
      zones: zones.map((zone) =>
        zoneView(zone, { hosts: count(hosts, zone.name), mirrors: count(mirrors, zone.name) }),
      ),
    });
  });

  admin.post("/zones", async (c) => {
    const body = await parseBody(c, createBody, deps.maxBodyBytes);
    const zone = await deps.zones.addZone(body.name, {
      ...(body.ttl === undefined ? {} : { ttl: body.ttl }),
      ...(body.nameservers === undefined ? {} : { nameservers: body.nameservers }),
    });
    return c.json({ zone: zoneView(zone, { hosts: 0, mirrors: 0 }) }, 201);
  });

  admin.delete("/zones/:name", async (c) => {
    const cascade = flagQuery(c, "cascade");
    await deps.zones.removeZone(c.req.param("name"), { cascade });
    // Deleting a zone deletes its mirrors: the worker drops their runners.
    deps.mirrorsChanged();
    return c.body(null, 204);
  });
}
