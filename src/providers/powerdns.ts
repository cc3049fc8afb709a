// Provider "powerdns": the PowerDNS Authoritative HTTP API (v1), as shipped by pdns-server 4.x.
// Reads one set with GET /servers/{id}/zones/{zone}?rrset_name=…&rrset_type=… (4.7 also returns
// comment-only sets there, with no records, so the reply is filtered again here); writes with PATCH
// and changetype REPLACE, leaving `comments` out so the comments the set has are kept; deletes with
// changetype DELETE. The zone is the configured one or the longest zone the server has for the name
// (GET /zones?zone=… walking up the labels), cached per instance.

import { retryAfterOf, sendVendor, tryJsonBody, type VendorRequest } from "./kit/http.js";
import { z } from "zod";
import { isBeaconError } from "../core/errors.js";
import { MAX_TTL } from "../core/records.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { codeForStatus, VendorError, vendorFailure } from "./errors.js";
import { rrsetProvider, type RRSetApi } from "./kit/rrset-provider.js";
import { secret } from "./kit/secrets.js";
import { ttlToWrite, vendorSet } from "./kit/sets.js";
import { fromContent, toContent } from "./kit/txt-presentation.js";
import type { CallContext, ProviderDefinition, ProviderDeps, ProviderRRSet } from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";

export const powerdnsSettings = z.strictObject({
  /** Base URL of the pdns webserver; a path prefix (reverse proxy) is kept. */
  endpoint: httpUrlSetting({ allowQuery: false }).default("http://127.0.0.1:8081/"),
  api_key: secret(z.string().min(1, "the API key (api-key in pdns.conf) is required")),
  server_id: z.string().min(1).default("localhost"),
  zone: zoneNameSetting.optional(),
  /** TTL of sets Beacon creates when the write names none. */
  ttl: z.number().int().min(1).max(MAX_TTL).default(300),
});
export type PowerdnsSettings = z.output<typeof powerdnsSettings>;

export const powerdnsProvider: ProviderDefinition<PowerdnsSettings> = {
  type: "powerdns",
  description: "PowerDNS Authoritative server, HTTP API v1 (X-API-Key)",
  settings: powerdnsSettings,
  create: (id, s, deps) =>
    rrsetProvider({
      id,
      type: "powerdns",
      vendor: `powerdns ${id}`,
      capabilities: { types: ["A", "AAAA", "TXT"], read: true, delete: true, multiValue: true, ttl: true },
      api: powerdnsApi(`powerdns ${id}`, s, deps),
    }),
};

interface Zone {
  readonly id: string;
  readonly name: string;
}

const zoneList = z.array(z.object({ id: z.string().min(1), name: z.string().min(1) }));
const zoneWithSets = z.object({
  rrsets: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      ttl: z.number().int().nonnegative(),
      records: z.array(z.object({ content: z.string(), disabled: z.boolean() })),
    }),
  ),
});

/** The API's own error body: {"error": "…"} (401/404 from the webserver are plain text). */
const errorBody = z.object({ error: z.string() });

const MAX_CACHED_ZONES = 1000;

function powerdnsApi(
  vendor: string,
  s: PowerdnsSettings,
  deps: ProviderDeps,
): RRSetApi<{ set: ProviderRRSet }> {
  const base = `${s.endpoint.replace(/\/+$/, "")}/api/v1/servers/${encodeURIComponent(s.server_id)}`;
  const zoneOfName = new Map<string, Zone>();

  /** Any 2xx is success (4.7 answers PATCH with 204, GET with 200); anything else is a failure. */
  const call = async (req: VendorRequest, ctx: CallContext): Promise<HttpReply> => {
    const reply = await sendVendor(
      deps,
      vendor,
      {
        ...req,
        headers: {
          "x-api-key": s.api_key,
          accept: "application/json",
          ...(req.body === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      ctx,
    );
    if (reply.status < 200 || reply.status > 299) throw failure(vendor, reply, deps.clock());
    return reply;
  };

  const findZone = async (candidate: string, ctx: CallContext): Promise<Zone | undefined> => {
    const reply = await call(
      { method: "GET", url: `${base}/zones?zone=${encodeURIComponent(`${candidate}.`)}` },
      ctx,
    );
    const hit = vendorReply(reply, vendor, zoneList).find((z) => z.name.toLowerCase() === `${candidate}.`);
    return hit === undefined ? undefined : { id: hit.id, name: candidate };
  };

  const zoneFor = async (fqdn: string, ctx: CallContext): Promise<Zone> => {
    const cached = zoneOfName.get(fqdn);
    if (cached !== undefined) return cached;
    let zone: Zone | undefined;
    if (s.zone !== undefined) {
      if (!inZone(fqdn, s.zone))
        throw notFound(vendor, `${fqdn} is not inside the configured zone ${s.zone}`);
      zone = await findZone(s.zone, ctx);
      if (zone === undefined) throw notFound(vendor, `the server has no zone ${s.zone}`);
    } else {
      const labels = fqdn.split(".");
      // Longest first: a delegated child zone wins over its parent. The root is never asked.
      for (let i = 0; i < labels.length && zone === undefined; i++) {
        zone = await findZone(labels.slice(i).join("."), ctx);
      }
      if (zone === undefined) throw notFound(vendor, `the server has no zone holding ${fqdn}`);
    }
    if (zoneOfName.size >= MAX_CACHED_ZONES) zoneOfName.clear();
    zoneOfName.set(fqdn, zone);
    return zone;
  };

  /** A call on a known zone; a 404 means the zone went away: forget it so the next call looks again. */
  const zoneCall = async (fqdn: string, req: VendorRequest, ctx: CallContext) => {
    try {
      return await call(req, ctx);
    } catch (e) {
      if (isBeaconError(e) && e.code === "provider_zone_not_found") zoneOfName.delete(fqdn);
      throw e;
    }
  };

  return {
    async read(fqdn, type, ctx) {
      const zone = await zoneFor(fqdn, ctx);
      const query = `rrset_name=${encodeURIComponent(`${fqdn}.`)}&rrset_type=${type}`;
      const url = `${base}/zones/${encodeURIComponent(zone.id)}?${query}`;
      const reply = await zoneCall(fqdn, { method: "GET", url }, ctx);
      const held = vendorReply(reply, vendor, zoneWithSets).rrsets.find(
        (r) => r.name.toLowerCase() === `${fqdn}.` && r.type === type,
      );
      if (held === undefined) return undefined;
      // Disabled records are not served: they are not part of the set Beacon sees (REPLACE drops them).
      const values = held.records.filter((r) => !r.disabled).map((r) => fromContent(vendor, type, r.content));
      const set = vendorSet(vendor, type, held.ttl, values);
      return set === undefined ? undefined : { set };
    },
    async write(req, current, ctx) {
      const zone = await zoneFor(req.fqdn, ctx);
      const rrset = {
        name: `${req.fqdn}.`,
        type: req.type,
        ttl: ttlToWrite(req, current?.set, s.ttl),
        changetype: "REPLACE",
        records: req.values.map((v) => ({ content: toContent(req.type, v), disabled: false })),
      };
      const body = JSON.stringify({ rrsets: [rrset] });
      const url = `${base}/zones/${encodeURIComponent(zone.id)}`;
      await zoneCall(req.fqdn, { method: "PATCH", url, body }, ctx);
    },
    async remove(fqdn, type, _current, ctx) {
      const zone = await zoneFor(fqdn, ctx);
      const body = JSON.stringify({ rrsets: [{ name: `${fqdn}.`, type, changetype: "DELETE" }] });
      const url = `${base}/zones/${encodeURIComponent(zone.id)}`;
      await zoneCall(fqdn, { method: "PATCH", url, body }, ctx);
    },
  };
}

function notFound(vendor: string, message: string) {
  return vendorFailure("provider_zone_not_found", new VendorError(vendor, message));
}

/**
 * A reply with an unexpected status. 401 (wrong key) and 404 (no such server or zone) come from the
 * webserver as plain text; the API's own failures carry {"error": "…"} — 422 for data it refuses,
 * where "Conflicts with pre-existing RRset" (a CNAME at the name) is a conflict.
 */
function failure(vendor: string, reply: HttpReply, now: number) {
  const message =
    tryJsonBody(reply.body, errorBody)?.error ??
    (reply.body.trim() === "" ? `HTTP ${reply.status}` : reply.body);
  const cause = new VendorError(vendor, message, { status: reply.status });
  const code =
    reply.status === 422 && /conflict/i.test(message)
      ? "provider_conflict"
      : reply.status === 400 || reply.status === 422
        ? "provider_rejected"
        : codeForStatus(reply.status);
  return vendorFailure(code, cause, { retryAfterMs: retryAfterOf(reply, now) });
}
