// Changing a host's record sets through the update service (same rules and history as dyndns2):
//   PUT    /api/v1/hosts/:fqdn/records/:type   {values, ttl?}
//   PATCH  /api/v1/hosts/:fqdn/records         {A?, AAAA?, TXT?: string[] | null, ttl?} — one atomic update
//   DELETE /api/v1/hosts/:fqdn/records/:type
// A failed outcome becomes the problem of its code (rate_limited: 429, dns_pending: 503, both with
// Retry-After).

import type { Context, Hono } from "hono";
import { z } from "zod";
import { BeaconError } from "../../../core/errors.js";
import { normalizeName } from "../../../core/names.js";
import { isRecordType, RECORD_TYPES, type RecordType } from "../../../core/records.js";
import type { DesiredSets } from "../../../core/update.js";
import { parseBody } from "../../request-parse.js";
import type { AppDeps, AppEnv } from "../../deps.js";
import { tokenOf } from "./auth.js";
import { recordView } from "./views.js";

const values = z.array(z.string().max(1024)).max(64);
const putBody = z.strictObject({ values, ttl: z.number().optional() });
const patchBody = z.strictObject({
  A: values.nullable().optional(),
  AAAA: values.nullable().optional(),
  TXT: values.nullable().optional(),
  ttl: z.number().optional(),
});

function typeParam(c: Context<AppEnv>): RecordType {
  const raw = (c.req.param("type") ?? "").toUpperCase();
  if (!isRecordType(raw))
    throw new BeaconError("invalid_record", `record type must be one of ${RECORD_TYPES.join(", ")}`);
  return raw;
}

export function registerRecordRoutes(v1: Hono<AppEnv>, deps: AppDeps): void {
  async function apply(c: Context<AppEnv>, sets: DesiredSets): Promise<Response> {
    const token = tokenOf(c);
    const [outcome] = await deps.updates.update({
      token,
      hosts: [normalizeName(c.req.param("fqdn") ?? "")],
      sets,
      source: {
        ip: c.get("clientIp")?.text ?? "",
        userAgent: c.req.header("user-agent"),
        protocol: "api",
        tokenId: token.id,
      },
    });
    if (outcome === undefined) throw new BeaconError("internal", "the update returned no outcome");
    if (outcome.status === "failed")
      throw new BeaconError(outcome.code, outcome.message, {
        ...(outcome.retryAfterSeconds === undefined
          ? {}
          : { details: { retryAfterSeconds: outcome.retryAfterSeconds } }),
      });
    return c.json({ status: outcome.status, fqdn: outcome.fqdn, records: outcome.sets.map(recordView) });
  }

  v1.put("/hosts/:fqdn/records/:type", async (c) => {
    const type = typeParam(c);
    const body = await parseBody(c, putBody, deps.maxBodyBytes);
    return apply(c, {
      [type]: { values: body.values, ...(body.ttl === undefined ? {} : { ttl: body.ttl }) },
    });
  });

  v1.delete("/hosts/:fqdn/records/:type", async (c) => apply(c, { [typeParam(c)]: null }));

  v1.patch("/hosts/:fqdn/records", async (c) => {
    const body = await parseBody(c, patchBody, deps.maxBodyBytes);
    const sets: Partial<Record<RecordType, { values: string[]; ttl?: number } | null>> = {};
    for (const type of RECORD_TYPES) {
      const v = body[type];
      if (v === undefined) continue;
      sets[type] = v === null ? null : { values: v, ...(body.ttl === undefined ? {} : { ttl: body.ttl }) };
    }
    if (Object.keys(sets).length === 0)
      throw new BeaconError("bad_request", "name at least one of A, AAAA, TXT");
    return apply(c, sets);
  });
}
