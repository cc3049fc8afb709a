// A host's record sets edited in the console, through the update service (same validation, one
// commit with history, DNS index and mirrors follow), recorded with protocol "admin", no token id,
// the admin's address and the browser's user agent:
//   PUT    /hosts/:fqdn/records/:type { values, ttl? } → 200 { status, fqdn, records }
//   DELETE /hosts/:fqdn/records/:type                  → 200 { status, fqdn, records }
// A failed outcome becomes the problem of its code (ip_not_global, invalid_ttl, host_not_found, …).

import type { Context, Hono } from "hono";
import { z } from "zod";
import { BeaconError } from "../../../core/errors.js";
import { normalizeName } from "../../../core/names.js";
import { isRecordType, RECORD_TYPES, type RecordType } from "../../../core/records.js";
import type { DesiredSets } from "../../../core/update.js";
import type { AppEnv } from "../../deps.js";
import type { AdminRouteDeps } from "./deps.js";
import { parseBody } from "../../request-parse.js";
import { recordView } from "./views.js";

const putBody = z.strictObject({
  values: z.array(z.string().max(1024)).max(64),
  ttl: z.number().optional(),
});

function typeParam(c: Context<AppEnv>): RecordType {
  const raw = c.req.param("type")?.toUpperCase() ?? "";
  if (!isRecordType(raw))
    throw new BeaconError("invalid_record", `record type must be one of ${RECORD_TYPES.join(", ")}`);
  return raw;
}

export function registerRecordRoutes(admin: Hono<AppEnv>, deps: AdminRouteDeps): void {
  async function apply(c: Context<AppEnv>, sets: DesiredSets): Promise<Response> {
    const [outcome] = await deps.updates.update({
      token: undefined,
      hosts: [normalizeName(c.req.param("fqdn") ?? "")],
      sets,
      source: {
        ip: c.get("clientIp")?.text ?? "",
        userAgent: c.req.header("user-agent")?.slice(0, 500),
        protocol: "admin",
        tokenId: undefined,
      },
    });
    if (outcome === undefined) throw new BeaconError("internal", "the update returned no outcome");
    if (outcome.status === "failed") throw new BeaconError(outcome.code, outcome.message);
    return c.json({ status: outcome.status, fqdn: outcome.fqdn, records: outcome.sets.map(recordView) });
  }

  admin.put("/hosts/:fqdn/records/:type", async (c) => {
    const type = typeParam(c);
    const body = await parseBody(c, putBody, deps.maxBodyBytes);
    return apply(c, {
      [type]: { values: body.values, ...(body.ttl === undefined ? {} : { ttl: body.ttl }) },
    });
  });

  admin.delete("/hosts/:fqdn/records/:type", async (c) => apply(c, { [typeParam(c)]: null }));
}
