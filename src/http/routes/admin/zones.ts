// Zones in the admin API:
//   GET    /zones                       → { zones: [zone view] }
//   POST   /zones  { name, nameservers?, ttl?, refresh?, retry?, expire?, minimum?, contact?, mname? }
//                                       → 201 { zone }
//   PATCH  /zones/:name { ttl?, refresh?, retry?, expire?, minimum?, contact?, mname? } → 200 { zone }
//          (invalid_soa / invalid_ttl name the value out of range; the serial advances on a change)
//   DELETE /zones/:name?cascade=1       → 204 (zone_not_empty without cascade while it has hosts)

import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../deps.js";
import type { MirrorStore, ZoneStore } from "../../../store/ports.js";
import type { RouteDeps } from "./deps.js";
import { flagQuery, parseBody } from "../../request-parse.js";
import { zoneView } from "./views.js";

const name = z.string().max(253);
// Ranges and integrality are the zone service's (invalid_ttl, invalid_soa naming the field), not a
// generic bad_request.
const settings = {
  ttl: z.number().optional(),
  refresh: z.number().optional(),
  retry: z.number().optional(),
  expire: z.number().optional(),
  minimum: z.number().optional(),
  contact: name.optional(),
  mname: name.optional(),
};
const createBody = z.strictObject({
  name,
  nameservers: z.array(name).min(1).max(16).optional(),
  ...settings,
});
const updateBody = z.strictObject(settings);

export function registerZoneRoutes(
  admin: Hono<AppEnv>,
  deps: RouteDeps<Pick<ZoneStore, "listHosts"> & Pick<MirrorStore, "listMirrors">>,
): void {
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
    const zone = await deps.zones.addZone(body.name, body);
    return c.json({ zone: zoneView(zone, { hosts: 0, mirrors: 0 }) }, 201);
  });

  admin.patch("/zones/:name", async (c) => {
    const body = await parseBody(c, updateBody, deps.maxBodyBytes);
    const zone = await deps.zones.setZone(c.req.param("name"), body);
    const [hosts, mirrors] = await Promise.all([
      deps.store.listHosts(zone.name),
      deps.store.listMirrors(zone.name),
    ]);
    return c.json({ zone: zoneView(zone, { hosts: hosts.length, mirrors: mirrors.length }) });
  });

  admin.delete("/zones/:name", async (c) => {
    const cascade = flagQuery(c, "cascade");
    await deps.zones.removeZone(c.req.param("name"), { cascade });
    // Deleting a zone deletes its mirrors: the worker drops their runners.
    deps.mirrorsChanged();
    return c.body(null, 204);
  });
}
