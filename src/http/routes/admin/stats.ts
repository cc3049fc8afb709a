// GET /stats → { now, intervalSeconds, updates: [{at, count}], queries: [{at, count}],
//               totals: { updates, queries, zones, hosts, tokens }, version,
//               certificate?: { origin, subject, names, notAfter } | null,
//               acme: { names, notAfter, nextCheckAt, lastError, failures } | null }
// `certificate` only with HTTPS configured (null until a certificate is installed); `acme` null when
// ACME is off.
// Rates come from the sampler (oldest first, per interval); totals.updates/queries are the counters
// since the server started, totals.tokens counts the tokens that work now (not revoked, not expired).

import type { Hono } from "hono";
import type { AppEnv } from "../../deps.js";
import type { TokenStore, ZoneStore } from "../../../store/ports.js";
import type { RouteDeps } from "./deps.js";
import { tokenState } from "./views.js";
import type { CertificateStatus } from "../../../core/certificates.js";
import type { AcmeStatus } from "../../../services/acme/renewal.js";

function certificateView(s: CertificateStatus | undefined) {
  return s === undefined ? null : { ...s, notAfter: s.notAfter.toISOString() };
}

/** What the console's server page shows of the ACME certificate (ISO times, null for none). */
function acmeView(s: AcmeStatus) {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    names: s.names,
    notAfter: iso(s.notAfter),
    nextCheckAt: iso(s.nextCheckAt),
    lastError: s.lastError ?? null,
    failures: s.failures,
  };
}

export function registerStatsRoutes(
  admin: Hono<AppEnv>,
  deps: RouteDeps<Pick<ZoneStore, "listZones" | "listHosts"> & Pick<TokenStore, "listTokens">>,
): void {
  admin.get("/stats", async (c) => {
    const now = deps.clock();
    const [zones, hosts, tokens] = await Promise.all([
      deps.store.listZones(),
      deps.store.listHosts(),
      deps.store.listTokens(),
    ]);
    const rates = deps.rates();
    const points = (list: readonly { at: number; count: number }[]) =>
      list.map((p) => ({ at: new Date(p.at).toISOString(), count: p.count }));
    return c.json({
      now: new Date(now).toISOString(),
      intervalSeconds: rates.intervalMs / 1000,
      updates: points(rates.updates),
      queries: points(rates.queries),
      totals: {
        updates: rates.totals.updates,
        queries: rates.totals.queries,
        zones: zones.length,
        hosts: hosts.length,
        tokens: tokens.filter((t) => tokenState(t, now) === "active").length,
      },
      version: deps.version,
      ...(deps.certificate === undefined ? {} : { certificate: certificateView(deps.certificate()) }),
      acme: deps.acme === undefined ? null : acmeView(deps.acme()),
    });
  });
}
