// Reading a host: GET /api/v1/hosts/:fqdn and its history. The token must cover the name; that is
// checked before existence, so a token cannot probe for hosts outside its scope. A token made for a
// host reads nothing of a later host of the same name (forbidden), and history is the host's own.

import type { Context, Hono } from "hono";
import { BeaconError } from "../../../core/errors.js";
import { normalizeName } from "../../../core/names.js";
import { createHistoryService } from "../../../services/history.js";
import { tokenBoundTo, tokenCoversName } from "../../../services/scope.js";
import type { HostHistoryStore } from "../../../store/ports.js";
import type { AppDeps, AppEnv } from "../../deps.js";
import { intQuery } from "../../request-parse.js";
import { tokenOf } from "./auth.js";
import { historyView, recordView } from "./views.js";

/** The canonical fqdn of the path, after the scope check. */
export function scopedName(c: Context<AppEnv>): string {
  const fqdn = normalizeName(c.req.param("fqdn") ?? "");
  if (!tokenCoversName(tokenOf(c), fqdn))
    throw new BeaconError("forbidden", `the token does not cover "${fqdn}"`);
  return fqdn;
}

export function registerHostRoutes(
  v1: Hono<AppEnv>,
  deps: Pick<AppDeps, "zones"> & { readonly store: HostHistoryStore },
): void {
  const history = createHistoryService({ store: deps.store });

  /** The host of the path, when the token covers its name and was not made for another host. */
  async function scopedHost(c: Context<AppEnv>) {
    const shown = await deps.zones.showHost(scopedName(c));
    if (!tokenBoundTo(tokenOf(c), shown.host))
      throw new BeaconError("forbidden", `the token was made for an earlier "${shown.host.fqdn}"`);
    return shown;
  }

  v1.get("/hosts/:fqdn", async (c) => {
    const { host, zone, rrsets } = await scopedHost(c);
    return c.json({
      fqdn: host.fqdn,
      zone: host.zone,
      ttl: host.ttl ?? zone.ttl,
      records: rrsets.map(recordView),
    });
  });

  v1.get("/hosts/:fqdn/history", async (c) => {
    const { host } = await scopedHost(c);
    const limit = intQuery(c, "limit");
    const before = intQuery(c, "before");
    const page = await history.ofHost(host, {
      ...(limit === undefined ? {} : { limit }),
      ...(before === undefined ? {} : { before }),
    });
    return c.json({
      entries: page.entries.map(historyView),
      ...(page.next === undefined ? {} : { next: page.next }),
    });
  });
}
