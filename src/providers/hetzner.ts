// Provider "hetzner": Hetzner DNS through the Hetzner Cloud API (https://api.hetzner.cloud/v1, Bearer
// token of a Cloud project), which replaced the DNS Console API (dns.hetzner.com, Auth-API-Token) in
// 2025; the old API is being shut down, so only the Cloud API is implemented.
// Record sets are addressed as /zones/{zone}/rrsets/{name}/{type} (name relative, `@` at the apex).
// Writes are asynchronous: they return an action, which is polled (GET /zones/actions/{id}, bounded)
// until it succeeds, so a read right after a write sees it; an action that fails is provider_rejected.
// Changing values uses actions/set_records (labels, protection and TTL stay; the comment of a value
// that stays is sent back so it is kept), a TTL change actions/change_ttl, a new set POST /rrsets.
// A set whose TTL is null follows the zone's default TTL; that is the TTL reported for it.
// Docs: https://docs.hetzner.cloud/reference/cloud#zone-rrsets

import { retryAfterOf, sendVendor, tryJsonBody, type VendorRequest } from "./kit/http.js";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { BeaconError, isBeaconError } from "../core/errors.js";
import { MAX_TTL } from "../core/records.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { MAX_RETRY_AFTER_MS } from "../net/retry-after.js";
import { codeForStatus, VendorError, vendorFailure, type ProviderErrorCode, vendorCodes } from "./errors.js";
import { rrsetProvider, valuesDiffer, type RRSetApi } from "./kit/rrset-provider.js";
import { secret } from "./kit/secrets.js";
import { relativeName, vendorSet } from "./kit/sets.js";
import { fromContent, toContent } from "./kit/txt-presentation.js";
import type { CallContext, ProviderDefinition, ProviderDeps, ProviderRRSet } from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";

export const hetznerSettings = z.strictObject({
  /** A Hetzner Cloud API token (Read & Write) of the project that holds the zone. */
  api_token: secret(z.string().min(1, "a Hetzner Cloud API token is required")),
  /** The zone's name; found by listing the project's zones when omitted. */
  zone: zoneNameSetting.optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://api.hetzner.cloud/v1"),
  /** TTL of sets Beacon creates when the write names none; default: the zone's default TTL. */
  ttl: z.number().int().min(60).max(MAX_TTL).optional(),
  /** How long to wait for one action to finish (ms); the write counts as done after that. */
  action_wait_ms: z.number().int().min(0).max(300_000).default(30_000),
});
export type HetznerSettings = z.output<typeof hetznerSettings>;

export const hetznerProvider: ProviderDefinition<HetznerSettings> = {
  type: "hetzner",
  description: "Hetzner DNS via the Hetzner Cloud API (zones and RRSets, Bearer token)",
  settings: hetznerSettings,
  create: (id, s, deps) =>
    rrsetProvider({
      id,
      type: "hetzner",
      vendor: `hetzner ${id}`,
      capabilities: { types: ["A", "AAAA", "TXT"], read: true, delete: true, multiValue: true, ttl: true },
      api: hetznerApi(`hetzner ${id}`, s, deps),
    }),
};

interface Zone {
  readonly id: number;
  readonly name: string;
  readonly ttl: number;
}

interface Held {
  readonly set: ProviderRRSet;
  /** Comments by canonical value, to send back with set_records. */
  readonly comments: ReadonlyMap<string, string>;
}

const zoneObject = z.object({
  id: z.number().int(),
  name: z.string().min(1),
  ttl: z.number().int().positive(),
});
const zonePage = z.object({
  zones: z.array(zoneObject),
  meta: z.object({ pagination: z.object({ next_page: z.number().int().nullable() }) }),
});
const rrsetReply = z.object({
  rrset: z.object({
    ttl: z.number().int().nullable(),
    records: z.array(z.object({ value: z.string(), comment: z.string().nullish() })),
  }),
});
const action = z.object({
  id: z.number().int(),
  status: z.enum(["running", "success", "error"]),
  error: z.object({ code: z.string(), message: z.string() }).nullish(),
});
const actionReply = z.object({ action });
const errorReply = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const PER_PAGE = 50;
const MAX_PAGES = 100;
const POLL_MS = 500;
const MAX_CACHED = 1000;

function hetznerApi(vendor: string, s: HetznerSettings, deps: ProviderDeps): RRSetApi<Held> {
  const base = s.endpoint.replace(/\/+$/, "");
  const zoneOf = new Map<string, Zone>();

  const call = async (req: VendorRequest, ctx: CallContext, allow404 = false): Promise<HttpReply> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${s.api_token}`,
      accept: "application/json",
    };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    const reply = await sendVendor(deps, vendor, { ...req, headers }, ctx);
    if ((reply.status >= 200 && reply.status < 300) || (allow404 && reply.status === 404)) return reply;
    throw failure(vendor, reply, deps.clock());
  };

  const lookUp = async (fqdn: string, ctx: CallContext): Promise<Zone> => {
    if (s.zone !== undefined) {
      if (!inZone(fqdn, s.zone))
        throw notFound(vendor, `${fqdn} is not inside the configured zone ${s.zone}`);
      const reply = await call({ method: "GET", url: `${base}/zones/${s.zone}` }, ctx, true);
      if (reply.status === 404) throw notFound(vendor, `the project has no zone ${s.zone}`);
      return vendorReply(reply, vendor, z.object({ zone: zoneObject })).zone;
    }
    // Every zone of the project, page by page (bounded), then the longest one holding the name.
    let best: Zone | undefined;
    let page: number | null = 1;
    for (let n = 0; page !== null && n < MAX_PAGES; n++) {
      const url: string = `${base}/zones?page=${page}&per_page=${PER_PAGE}`;
      const body: z.infer<typeof zonePage> = vendorReply(
        await call({ method: "GET", url }, ctx),
        vendor,
        zonePage,
      );
      for (const z of body.zones) {
        const name = z.name.toLowerCase().replace(/\.$/, "");
        if (inZone(fqdn, name) && (best === undefined || name.length > best.name.length))
          best = { ...z, name };
      }
      page = body.meta.pagination.next_page;
    }
    if (best === undefined) throw notFound(vendor, `the project has no zone holding ${fqdn}`);
    return best;
  };

  const zoneFor = async (fqdn: string, ctx: CallContext): Promise<Zone> => {
    const cached = zoneOf.get(fqdn);
    if (cached !== undefined) return cached;
    const zone = await lookUp(fqdn, ctx);
    if (zoneOf.size >= MAX_CACHED) zoneOf.clear();
    zoneOf.set(fqdn, zone);
    return zone;
  };

  /** Waits for an action to leave "running" (bounded by action_wait_ms and the signal). */
  const settle = async (reply: HttpReply, ctx: CallContext): Promise<void> => {
    let current = vendorReply(reply, vendor, actionReply).action;
    const deadline = deps.clock() + s.action_wait_ms;
    for (let i = 0; current.status === "running" && i < 1000 && deps.clock() < deadline; i++) {
      try {
        await sleep(POLL_MS, undefined, { signal: ctx.signal });
      } catch (e) {
        throw new BeaconError("aborted", `${vendor}: aborted while action ${current.id} was running`, {
          cause: e,
        });
      }
      const polled = await call({ method: "GET", url: `${base}/zones/actions/${current.id}` }, ctx);
      current = vendorReply(polled, vendor, actionReply).action;
    }
    if (current.status === "error") {
      const err = current.error ?? { code: "unknown", message: "the action failed" };
      throw vendorFailure(
        actionErrorCode(err.code),
        new VendorError(vendor, `action ${current.id} failed: ${err.message}`, { vendorCode: err.code }),
      );
    }
    // Still running after the wait: Hetzner accepted the change and will apply it.
  };

  /** A call on a known zone; zone_not_found (the zone went away) forgets it. */
  const zoneCall = async (fqdn: string, req: VendorRequest, ctx: CallContext, allow404 = false) => {
    try {
      return await call(req, ctx, allow404);
    } catch (e) {
      if (isBeaconError(e) && e.code === "provider_zone_not_found") zoneOf.delete(fqdn);
      throw e;
    }
  };

  const setUrl = (zone: Zone, fqdn: string, type: string) =>
    `${base}/zones/${zone.id}/rrsets/${encodeURIComponent(relativeName(fqdn, zone.name))}/${type}`;

  return {
    async read(fqdn, type, ctx) {
      const zone = await zoneFor(fqdn, ctx);
      const reply = await zoneCall(fqdn, { method: "GET", url: setUrl(zone, fqdn, type) }, ctx, true);
      if (reply.status === 404) return undefined;
      const { rrset } = vendorReply(reply, vendor, rrsetReply);
      const values = rrset.records.map((r) => fromContent(vendor, type, r.value));
      const set = vendorSet(vendor, type, rrset.ttl ?? zone.ttl, values);
      if (set === undefined) return undefined;
      const comments = new Map<string, string>();
      rrset.records.forEach((r, i) => {
        const value = values[i];
        if (r.comment === undefined || r.comment === null || r.comment === "" || value === undefined) return;
        comments.set(vendorSet(vendor, type, 0, [value])?.values[0] ?? value, r.comment);
      });
      return { set, comments };
    },
    async write(req, current, ctx) {
      const zone = await zoneFor(req.fqdn, ctx);
      const records = req.values.map((v) => {
        const comment = current?.comments.get(v);
        return { value: toContent(req.type, v), ...(comment === undefined ? {} : { comment }) };
      });
      if (current === undefined) {
        const ttl = req.ttl ?? s.ttl;
        const body = JSON.stringify({
          name: relativeName(req.fqdn, zone.name),
          type: req.type,
          ...(ttl === undefined ? {} : { ttl }),
          records,
        });
        const reply = await zoneCall(
          req.fqdn,
          { method: "POST", url: `${base}/zones/${zone.id}/rrsets`, body },
          ctx,
        );
        await settle(reply, ctx);
        return;
      }
      const url = setUrl(zone, req.fqdn, req.type);
      if (valuesDiffer(current.set, req)) {
        const body = JSON.stringify({ records });
        await settle(
          await zoneCall(req.fqdn, { method: "POST", url: `${url}/actions/set_records`, body }, ctx),
          ctx,
        );
      }
      if (req.ttl !== undefined && req.ttl !== current.set.ttl) {
        const body = JSON.stringify({ ttl: req.ttl });
        await settle(
          await zoneCall(req.fqdn, { method: "POST", url: `${url}/actions/change_ttl`, body }, ctx),
          ctx,
        );
      }
    },
    async remove(fqdn, type, _current, ctx) {
      const zone = await zoneFor(fqdn, ctx);
      await settle(await zoneCall(fqdn, { method: "DELETE", url: setUrl(zone, fqdn, type) }, ctx), ctx);
    },
  };
}

function notFound(vendor: string, message: string) {
  return vendorFailure("provider_zone_not_found", new VendorError(vendor, message));
}

/** Hetzner's error codes (https://docs.hetzner.cloud/reference/cloud#errors) onto the catalogue. */
const CODES = vendorCodes({
  unauthorized: "provider_auth",
  forbidden: "provider_permission",
  token_readonly: "provider_permission",
  protected: "provider_permission",
  not_found: "provider_zone_not_found",
  rate_limit_exceeded: "provider_rate_limited",
  conflict: "provider_conflict",
  uniqueness_error: "provider_conflict",
  // Another action holds the resource: retry later.
  locked: "provider_unavailable",
  invalid_input: "provider_rejected",
  json_error: "provider_rejected",
  incorrect_zone_mode: "provider_rejected",
  resource_limit_exceeded: "provider_rejected",
  maintenance: "provider_unavailable",
  service_error: "provider_unavailable",
  server_error: "provider_unavailable",
  timeout: "provider_unavailable",
  unavailable: "provider_unavailable",
});

function actionErrorCode(code: string): ProviderErrorCode {
  return CODES(code) ?? "provider_rejected";
}

function failure(vendor: string, reply: HttpReply, now: number) {
  const parsed = tryJsonBody(reply.body, errorReply);
  const message = parsed?.error.message ?? (reply.body.trim() === "" ? `HTTP ${reply.status}` : reply.body);
  const vendorCode = parsed?.error.code;
  const cause = new VendorError(vendor, message, {
    status: reply.status,
    ...(vendorCode === undefined ? {} : { vendorCode }),
  });
  const code = CODES(vendorCode) ?? codeForStatus(reply.status);
  const retryAfterMs =
    code === "provider_rate_limited" ? rateLimitWait(reply, now) : retryAfterOf(reply, now);
  return vendorFailure(code, cause, { retryAfterMs });
}

/**
 * How long until a request is allowed again. Retry-After when sent; otherwise from the RateLimit-*
 * headers: RateLimit-Reset is when the whole budget is back (UNIX seconds), and Hetzner refills the
 * budget evenly, so one request is available after (reset - now) / (limit - remaining).
 */
export function rateLimitWait(reply: HttpReply, now: number): number | undefined {
  const told = retryAfterOf(reply, now);
  if (told !== undefined) return told;
  const reset = Number(reply.headers["ratelimit-reset"]);
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  const untilFull = Math.max(0, reset * 1000 - now);
  const limit = Number(reply.headers["ratelimit-limit"]);
  const remaining = Number(reply.headers["ratelimit-remaining"]);
  const missing = Number.isInteger(limit) && Number.isInteger(remaining) ? limit - remaining : 0;
  const wait = missing > 0 ? Math.ceil(untilFull / missing) : untilFull;
  return Math.min(wait, MAX_RETRY_AFTER_MS);
}
