// Hosts in the admin API:
//   GET    /hosts?zone=               → { hosts: [host view] } sorted by fqdn
//   POST   /hosts { fqdn, ttl?, description?, token?, types? }
//                                     → 201 { host, token: {id, secret, label} | null, clients | null }
//   GET    /hosts/:fqdn               → { host, tokens: [token views whose scope covers it],
//                                        awsSample: its AWS-sample credential (never the secret) | null }
//   DELETE /hosts/:fqdn               → 204
//   DELETE /hosts/:fqdn/abuse         → 204: the host's abuse flag is cleared (docs/limits.md)
//   GET    /hosts/:fqdn/history?limit&before&all → { entries, next? }
// The new host's token is scoped to exactly its name and made for this host (revoked with it); its
// secret appears in this one answer only. History is the host's own; `all=1` adds what deleted hosts
// of that name left (and works when no host has the name now).

import type { Context, Hono } from "hono";
import { z } from "zod";
import { normalizeName } from "../../../core/names.js";
import { RECORD_TYPES, type RecordType } from "../../../core/records.js";
import { clientConfigs, parseServerUrl } from "../../../services/client-configs.js";
import { createHistoryService } from "../../../services/history.js";
import { tokenBoundTo, tokenCoversName } from "../../../services/scope.js";
import type { Host, HostFlag } from "../../../store/types.js";
import type { AppEnv } from "../../deps.js";
import type { HostHistoryStore, SampleCredentialStore, ZoneStore } from "../../../store/ports.js";
import type { RouteDeps } from "./deps.js";
import { flagQuery, intQuery, parseBody } from "../../request-parse.js";
import { hostView, historyView, sampleCredentialView, tokenView } from "./views.js";

const ALL_TYPES: RecordType[] = [...RECORD_TYPES];

const createBody = z.strictObject({
  fqdn: z.string().max(253),
  ttl: z.number().optional(),
  description: z.string().max(500).optional(),
  token: z.boolean().optional(),
  types: z.array(z.enum(RECORD_TYPES)).min(1).max(3).optional(),
});

export function registerHostRoutes(
  admin: Hono<AppEnv>,
  deps: RouteDeps<
    HostHistoryStore &
      Pick<ZoneStore, "getZone" | "getRRSets"> &
      Pick<SampleCredentialStore, "getSampleCredential">
  >,
  origin: (c: Context<AppEnv>) => string,
): void {
  const history = createHistoryService({ store: deps.store });

  async function view(host: Host, flags: ReadonlyMap<string, HostFlag>, zoneTtl?: number) {
    const [rrsets, last, zone] = await Promise.all([
      deps.store.getRRSets(host.fqdn),
      deps.store.listHistory(host.fqdn, { limit: 1, hostId: host.id }),
      zoneTtl === undefined ? deps.store.getZone(host.zone) : undefined,
    ]);
    return hostView(host, zoneTtl ?? zone?.ttl ?? 60, rrsets, last[0], flags.get(host.fqdn));
  }
  const flagsByHost = async () => new Map((await deps.flags.list()).map((f) => [f.fqdn, f]));

  admin.get("/hosts", async (c) => {
    const zone = c.req.query("zone");
    const hosts = await deps.zones.listHosts(zone === undefined || zone === "" ? undefined : zone);
    const ttls = new Map((await deps.zones.listZones()).map((z) => [z.name, z.ttl]));
    const flags = await flagsByHost();
    return c.json({ hosts: await Promise.all(hosts.map((h) => view(h, flags, ttls.get(h.zone)))) });
  });

  admin.post("/hosts", async (c) => {
    const body = await parseBody(c, createBody, deps.maxBodyBytes);
    const fqdn = normalizeName(body.fqdn);
    const wantToken = body.token ?? true;
    // Checked before anything is created: a URL clients cannot use fails the request, not half of it.
    const serverUrl = wantToken ? origin(c) : undefined;
    if (serverUrl !== undefined) parseServerUrl(serverUrl);
    const host = await deps.zones.addHost(fqdn, {
      ...(body.ttl === undefined ? {} : { ttl: body.ttl }),
      ...(body.description === undefined ? {} : { description: body.description }),
    });
    if (serverUrl === undefined)
      return c.json({ host: await view(host, new Map()), token: null, clients: null }, 201);
    let created;
    try {
      created = await deps.tokens.create({
        label: `host ${host.fqdn}`,
        names: [{ name: host.fqdn, subtree: false }],
        types: body.types ?? ALL_TYPES,
        hostId: host.id,
      });
    } catch (e) {
      // No host without the token the caller asked for: undo, best effort, and report the failure.
      await deps.zones.removeHost(host.fqdn).catch((err: unknown) => {
        deps.log.warn({ err, fqdn: host.fqdn }, "could not remove a host whose token failed");
      });
      throw e;
    }
    return c.json(
      {
        host: await view(host, new Map()),
        token: { id: created.record.id, secret: created.token, label: created.record.label },
        clients: clientConfigs({ serverUrl, fqdn: host.fqdn, token: created.token }),
      },
      201,
    );
  });

  admin.get("/hosts/:fqdn", async (c) => {
    const { host, zone } = await deps.zones.showHost(c.req.param("fqdn"));
    const now = deps.clock();
    const tokens = (await deps.tokens.list()).filter(
      (t) => tokenCoversName(t, host.fqdn) && tokenBoundTo(t, host),
    );
    return c.json({
      host: await view(host, await flagsByHost(), zone.ttl),
      tokens: tokens.map((t) => tokenView(t, now)),
      awsSample: sampleCredentialView(await deps.store.getSampleCredential(host.fqdn), host),
    });
  });

  admin.delete("/hosts/:fqdn", async (c) => {
    await deps.zones.removeHost(c.req.param("fqdn"));
    return c.body(null, 204);
  });

  admin.delete("/hosts/:fqdn/abuse", async (c) => {
    const { host } = await deps.zones.showHost(c.req.param("fqdn"));
    if (await deps.flags.clear(host.fqdn)) deps.log.info({ fqdn: host.fqdn }, "abuse flag cleared");
    return c.body(null, 204);
  });

  admin.get("/hosts/:fqdn/history", async (c) => {
    const limit = intQuery(c, "limit");
    const before = intQuery(c, "before");
    const opts = { ...(limit === undefined ? {} : { limit }), ...(before === undefined ? {} : { before }) };
    const page = flagQuery(c, "all")
      ? await history.ofName(c.req.param("fqdn"), opts)
      : await history.ofHost((await deps.zones.showHost(c.req.param("fqdn"))).host, opts);
    return c.json({
      entries: page.entries.map(historyView),
      ...(page.next === undefined ? {} : { next: page.next }),
    });
  });
}
