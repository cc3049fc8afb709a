// Provider "desec": the deSEC DNS API (https://desec.io/api/v1, `Authorization: Token …`).
// Reads one RRset with GET /domains/{domain}/rrsets/{subname}/{type}/ (the apex as `@`, 404 when the
// set does not exist); writes with a bulk PUT to /domains/{domain}/rrsets/ (creates or replaces in one
// request, so there is no create/update race; the apex is "" there, `@` is refused); deletes with
// DELETE on the set. The domain is the configured one or the one deSEC says owns the name
// (GET /domains/?owns_qname=…), cached per instance together with its minimum_ttl, which is also the
// TTL of new sets unless `ttl` is set. deSEC keeps no per-set settings besides TTL and records.
// Docs: https://desec.readthedocs.io/en/latest/dns/rrsets.html

import { retryAfterOf, sendVendor, tryJson, type VendorRequest } from "./kit/http.js";
import { z } from "zod";
import { isBeaconError } from "../core/errors.js";
import { MAX_TTL } from "../core/records.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { codeForStatus, VendorError, vendorFailure } from "./errors.js";
import { rrsetProvider, type RRSetApi } from "./kit/rrset-provider.js";
import { secret } from "./kit/secrets.js";
import { relativeName, ttlToWrite, vendorSet } from "./kit/sets.js";
import { fromContent, toContent } from "./kit/txt-presentation.js";
import type { CallContext, ProviderDefinition, ProviderDeps, ProviderRRSet } from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";

export const desecSettings = z.strictObject({
  token: secret(z.string().min(1, "a deSEC API token is required")),
  /** The deSEC domain (zone); found with owns_qname when omitted. */
  domain: zoneNameSetting.optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://desec.io/api/v1/"),
  /** TTL of sets Beacon creates when the write names none; default: the domain's minimum_ttl. */
  ttl: z.number().int().min(1).max(MAX_TTL).optional(),
});
export type DesecSettings = z.output<typeof desecSettings>;

export const desecProvider: ProviderDefinition<DesecSettings> = {
  type: "desec",
  description: "deSEC (desec.io) DNS API with an API token",
  settings: desecSettings,
  create: (id, s, deps) =>
    rrsetProvider({
      id,
      type: "desec",
      vendor: `desec ${id}`,
      capabilities: { types: ["A", "AAAA", "TXT"], read: true, delete: true, multiValue: true, ttl: true },
      api: desecApi(`desec ${id}`, s, deps),
    }),
};

interface Domain {
  readonly name: string;
  readonly minimumTtl: number;
}

const domainObject = z.object({ name: z.string().min(1), minimum_ttl: z.number().int().positive() });
const rrsetObject = z.object({ ttl: z.number().int().nonnegative(), records: z.array(z.string()) });

const MAX_CACHED = 1000;

function desecApi(vendor: string, s: DesecSettings, deps: ProviderDeps): RRSetApi<{ set: ProviderRRSet }> {
  const base = s.endpoint.replace(/\/+$/, "");
  const domainOf = new Map<string, Domain>();

  /** Resolves with 2xx replies and with 404 when `allow404`; rejects with catalogue errors otherwise. */
  const call = async (req: VendorRequest, ctx: CallContext, allow404 = false): Promise<HttpReply> => {
    const headers: Record<string, string> = { authorization: `Token ${s.token}`, accept: "application/json" };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    const reply = await sendVendor(deps, vendor, { ...req, headers }, ctx);
    if ((reply.status >= 200 && reply.status < 300) || (allow404 && reply.status === 404)) return reply;
    throw failure(vendor, reply, deps.clock());
  };

  const lookUp = async (fqdn: string, ctx: CallContext): Promise<Domain> => {
    if (s.domain !== undefined) {
      if (!inZone(fqdn, s.domain))
        throw notFound(vendor, `${fqdn} is not inside the configured domain ${s.domain}`);
      const reply = await call({ method: "GET", url: `${base}/domains/${s.domain}/` }, ctx, true);
      if (reply.status === 404) throw notFound(vendor, `the account has no domain ${s.domain}`);
      const d = vendorReply(reply, vendor, domainObject);
      return { name: s.domain, minimumTtl: d.minimum_ttl };
    }
    const url = `${base}/domains/?owns_qname=${encodeURIComponent(fqdn)}`;
    const owner = vendorReply(await call({ method: "GET", url }, ctx), vendor, z.array(domainObject))[0];
    const name = owner?.name.toLowerCase().replace(/\.$/, "");
    if (owner === undefined || name === undefined || !inZone(fqdn, name))
      throw notFound(vendor, `the account has no domain holding ${fqdn}`);
    return { name, minimumTtl: owner.minimum_ttl };
  };

  const domainFor = async (fqdn: string, ctx: CallContext): Promise<Domain> => {
    const cached = domainOf.get(fqdn);
    if (cached !== undefined) return cached;
    const d = await lookUp(fqdn, ctx);
    if (domainOf.size >= MAX_CACHED) domainOf.clear();
    domainOf.set(fqdn, d);
    return d;
  };

  /** A call on a known domain; zone_not_found (the domain went away) forgets it. */
  const domainCall = async (fqdn: string, req: VendorRequest, ctx: CallContext, allow404 = false) => {
    try {
      return await call(req, ctx, allow404);
    } catch (e) {
      if (isBeaconError(e) && e.code === "provider_zone_not_found") domainOf.delete(fqdn);
      throw e;
    }
  };

  /** The set's own URL; the apex is `@` there (an empty segment would collapse to `//`). */
  const setUrl = (d: Domain, fqdn: string, type: string) =>
    `${base}/domains/${d.name}/rrsets/${relativeName(fqdn, d.name)}/${type}/`;

  return {
    async read(fqdn, type, ctx) {
      const d = await domainFor(fqdn, ctx);
      const reply = await domainCall(fqdn, { method: "GET", url: setUrl(d, fqdn, type) }, ctx, true);
      if (reply.status === 404) return undefined;
      const held = vendorReply(reply, vendor, rrsetObject);
      const set = vendorSet(
        vendor,
        type,
        held.ttl,
        held.records.map((c) => fromContent(vendor, type, c)),
      );
      return set === undefined ? undefined : { set };
    },
    async write(req, current, ctx) {
      const d = await domainFor(req.fqdn, ctx);
      const item = {
        subname: relativeName(req.fqdn, d.name, ""),
        type: req.type,
        ttl: ttlToWrite(req, current?.set, s.ttl ?? d.minimumTtl),
        records: req.values.map((v) => toContent(req.type, v)),
      };
      const url = `${base}/domains/${d.name}/rrsets/`;
      await domainCall(req.fqdn, { method: "PUT", url, body: JSON.stringify([item]) }, ctx);
    },
    async remove(fqdn, type, _current, ctx) {
      const d = await domainFor(fqdn, ctx);
      await domainCall(fqdn, { method: "DELETE", url: setUrl(d, fqdn, type) }, ctx);
    },
  };
}

function notFound(vendor: string, message: string) {
  return vendorFailure("provider_zone_not_found", new VendorError(vendor, message));
}

/**
 * deSEC answers errors the Django REST framework way: {"detail": "…"} for auth, permission, 404 and
 * throttling (429 with Retry-After); field errors {"ttl": ["…"]} for a refused write, one object per
 * item for bulk requests ([{"ttl": [...]}, {}]). All of it is flattened into the message.
 */
function failure(vendor: string, reply: HttpReply, now: number) {
  const message =
    describeError(reply.body) ?? (reply.body.trim() === "" ? `HTTP ${reply.status}` : reply.body);
  const cause = new VendorError(vendor, message, { status: reply.status });
  const code =
    reply.status === 400 && /conflicting|already exists|same subname/i.test(message)
      ? "provider_conflict"
      : codeForStatus(reply.status);
  return vendorFailure(code, cause, { retryAfterMs: retryAfterOf(reply, now) });
}

function describeError(body: string): string | undefined {
  const parsed = tryJson(body);
  if (parsed === undefined) return undefined;
  const parts: string[] = [];
  const walk = (v: unknown, field: string | undefined) => {
    if (typeof v === "string") parts.push(field === undefined || field === "detail" ? v : `${field}: ${v}`);
    else if (Array.isArray(v)) for (const x of v) walk(x, field);
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(parsed, undefined);
  return parts.length === 0 ? undefined : parts.join("; ");
}
