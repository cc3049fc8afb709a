// Provider "godaddy": GoDaddy's Domains API v1 (https://developer.godaddy.com/doc/endpoint/domains)
// with `Authorization: sso-key {key}:{secret}`. GoDaddy addresses a set by domain, type and relative
// name ("@" at the apex): GET reads it, PUT replaces every record of it with [{data, ttl}], DELETE
// removes it. The domain is the `domain` setting, or found by walking up the name with
// GET /v1/domains/{candidate} (longest first, cached per instance).
//
// GoDaddy holds a TTL of 600 s at the least and refuses lower ones (422), so a write below 600 is sent
// as 600 (see ttl-floor.ts; `capabilities.minTtl` says so). A/AAAA/TXT records carry nothing but data
// and TTL in this API, so a PUT of the whole set loses no vendor-only setting.
//
// Since 2024 GoDaddy answers 403 ACCESS_DENIED ("Authenticated user is not allowed access") to
// accounts it does not grant the production Domains API (fewer than 10 domains and no Discount
// Domain Club Premier plan): provider_permission, with that explained in the message.

import { retryAfterOf, sendVendor, tryJsonBody, type VendorRequest } from "./kit/http.js";
import { z } from "zod";
import type { BeaconError } from "../core/errors.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { codeForStatus, VendorError, vendorFailure, vendorCodes } from "./errors.js";
import { rrsetProvider } from "./kit/rrset-provider.js";
import { secret } from "./kit/secrets.js";
import { relativeName, ttlToWrite, vendorSet, fullCapabilities } from "./kit/sets.js";
import { withTtlFloor } from "./kit/ttl-floor.js";
import type { CallContext, ProviderCapabilities, ProviderDefinition, ProviderRRSet } from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";
import { ZoneWalker } from "./kit/zone-walk.js";

/** GoDaddy's smallest TTL; also what a new set gets when neither the write nor the settings say. */
export const GODADDY_MIN_TTL = 600;
const DEFAULT_TTL = 3600;
const MAX_TTL = 604_800;

export interface GodaddySettings {
  readonly api_key: string;
  readonly api_secret: string;
  /** The domain (zone) at GoDaddy; absent: found from the name. */
  readonly domain?: string | undefined;
  readonly endpoint: string;
  /** TTL for new sets when a write carries none (default 3600). */
  readonly ttl?: number | undefined;
}

const credential = (what: string) =>
  z
    .string({ error: `expected the GoDaddy ${what} (from developer.godaddy.com/keys)` })
    .regex(/^[A-Za-z0-9_-]+$/, { error: `the GoDaddy ${what} is one word of letters, digits, '_' and '-'` });

const settings: z.ZodType<GodaddySettings> = z.strictObject({
  api_key: secret(credential("API key")),
  api_secret: secret(credential("API secret")),
  domain: zoneNameSetting.optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://api.godaddy.com"),
  ttl: z
    .number({ error: "expected a TTL in seconds" })
    .int({ error: "expected a whole number of seconds" })
    .min(GODADDY_MIN_TTL, { error: `GoDaddy's smallest TTL is ${GODADDY_MIN_TTL} seconds` })
    .max(MAX_TTL, { error: `GoDaddy's largest TTL is ${MAX_TTL} seconds` })
    .optional(),
});

const capabilities: ProviderCapabilities = fullCapabilities(GODADDY_MIN_TTL);

export const godaddyProvider: ProviderDefinition<GodaddySettings> = {
  type: "godaddy",
  description: "GoDaddy DNS (Domains API v1, sso-key); TTL 600 s at the least",
  settings,
  create(id, s, deps) {
    const vendor = `godaddy ${id}`;
    const base = s.endpoint.replace(/\/+$/, "");
    const headers = { authorization: `sso-key ${s.api_key}:${s.api_secret}`, accept: "application/json" };
    const walker = new ZoneWalker<string>(vendor);

    const call = async (req: Omit<VendorRequest, "headers">, ctx: CallContext): Promise<HttpReply> => {
      const withBody = req.body === undefined ? headers : { ...headers, "content-type": "application/json" };
      return sendVendor(deps, vendor, { ...req, headers: withBody }, ctx);
    };
    const fail = (reply: HttpReply): never => {
      throw godaddyFailure(vendor, reply, deps.clock());
    };

    async function domainOf(fqdn: string, ctx: CallContext): Promise<string> {
      if (s.domain !== undefined) {
        if (inZone(fqdn, s.domain)) return s.domain;
        throw vendorFailure(
          "provider_zone_not_found",
          new VendorError(vendor, `${fqdn} is not in the configured domain ${s.domain}`),
        );
      }
      const found = await walker.find(fqdn, async (candidate) => {
        // A registrar's domain never starts with an underscore label (_acme-challenge, _dmarc, …).
        if (candidate.startsWith("_")) return undefined;
        const reply = await call({ method: "GET", url: `${base}/v1/domains/${candidate}` }, ctx);
        if (reply.status === 404) return undefined;
        if (reply.status !== 200) fail(reply);
        return candidate;
      });
      return found.zone;
    }

    // Canonical names are [a-z0-9_-] labels and "@" is a valid path character: sent as they are.
    const setUrl = (domain: string, fqdn: string, type: string) =>
      `${base}/v1/domains/${domain}/records/${type}/${relativeName(fqdn, domain)}`;

    const provider = rrsetProvider<{ set: ProviderRRSet; domain: string }>({
      id,
      type: "godaddy",
      vendor,
      capabilities,
      api: {
        async read(fqdn, type, ctx) {
          const domain = await domainOf(fqdn, ctx);
          const reply = await call({ method: "GET", url: setUrl(domain, fqdn, type) }, ctx);
          if (reply.status !== 200) fail(reply);
          const records = vendorReply(reply, vendor, RecordList).filter((r) => r.type === type);
          const first = records[0];
          if (first === undefined) return undefined;
          const set = vendorSet(
            vendor,
            type,
            first.ttl,
            records.map((r) => r.data),
          );
          return set === undefined ? undefined : { set, domain };
        },
        async write(req, current, ctx) {
          const domain = current?.domain ?? (await domainOf(req.fqdn, ctx));
          const ttl = ttlToWrite(req, current?.set, s.ttl ?? DEFAULT_TTL);
          const body = JSON.stringify(req.values.map((data) => ({ data, ttl })));
          const reply = await call({ method: "PUT", url: setUrl(domain, req.fqdn, req.type), body }, ctx);
          if (reply.status !== 200 && reply.status !== 204) fail(reply);
        },
        async remove(fqdn, type, current, ctx) {
          const reply = await call({ method: "DELETE", url: setUrl(current.domain, fqdn, type) }, ctx);
          if (reply.status === 204 || reply.status === 200) return;
          // Gone between our read and the delete: the set is absent, which is what was asked.
          if (reply.status === 404 && errorOf(reply)?.code === "NOT_FOUND") return;
          fail(reply);
        },
      },
    });
    // Compared and written as GoDaddy will hold it (ttl-floor.ts).
    return { ...provider, upsert: (req, ctx) => provider.upsert(withTtlFloor(req, GODADDY_MIN_TTL), ctx) };
  },
};

const RecordList = z.array(
  z.object({
    data: z.string(),
    name: z.string().optional(),
    ttl: z.number().int().nonnegative(),
    type: z.string(),
  }),
);

/** GoDaddy's Error / ErrorLimit bodies (the latter adds retryAfterSec on 429). */
const ErrorBody = z.object({
  code: z.string(),
  message: z.string().optional(),
  fields: z.array(z.object({ message: z.string().optional(), path: z.string().optional() })).optional(),
  retryAfterSec: z.number().nonnegative().optional(),
});

function errorOf(reply: HttpReply): z.infer<typeof ErrorBody> | undefined {
  return tryJsonBody(reply.body, ErrorBody);
}

const BY_CODE = vendorCodes({
  UNABLE_TO_AUTHENTICATE: "provider_auth",
  ACCESS_DENIED: "provider_permission",
  NOT_FOUND: "provider_zone_not_found",
  UNKNOWN_DOMAIN: "provider_zone_not_found",
  TOO_MANY_REQUESTS: "provider_rate_limited",
});

const ACCESS_HINT =
  " — GoDaddy grants its production DNS API only to accounts with 10 or more domains or a Discount Domain Club Premier plan";

/** A GoDaddy error reply as a catalogue error; the vendor's code and message (and field errors) kept. */
export function godaddyFailure(vendor: string, reply: HttpReply, now: number): BeaconError {
  const body = errorOf(reply);
  const code = BY_CODE(body?.code) ?? codeForStatus(reply.status);
  const fields = (body?.fields ?? [])
    .map((f) => [f.path, f.message].filter((p) => p !== undefined).join(": "))
    .filter((f) => f !== "");
  let message = body?.message ?? (reply.body.trim() === "" ? `HTTP ${reply.status}` : reply.body);
  if (fields.length > 0) message += ` [${fields.join("; ")}]`;
  if (code === "provider_permission" && body?.code === "ACCESS_DENIED") message += ACCESS_HINT;
  const retryAfterMs =
    body?.retryAfterSec === undefined ? retryAfterOf(reply, now) : Math.round(body.retryAfterSec * 1000);
  return vendorFailure(
    code,
    new VendorError(vendor, message, {
      status: reply.status,
      ...(body === undefined ? {} : { vendorCode: body.code }),
    }),
    { retryAfterMs: code === "provider_rate_limited" ? retryAfterMs : undefined },
  );
}
