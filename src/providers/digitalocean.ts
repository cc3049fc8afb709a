// Provider "digitalocean": DigitalOcean's DNS through API v2 with a personal access token (Bearer).
// One record per value, reconciled with planRecords: records are updated in place with PATCH
// {data, ttl} (their other fields stay), created with POST {type, name (relative, "@" at the apex),
// data, ttl}, and deleted last. Lists use the documented filters (`type`, and `name` = the FULL
// name) and follow links.pages.next by its page number only — our token is never sent to a host
// a reply names. TXT data is the plain text (DigitalOcean quotes it when it answers). TTLs below
// DigitalOcean's minimum of 30 s are raised to it; a new record without a TTL gets 1800 (its default).

import { z } from "zod";
import { BeaconError, isBeaconError } from "../core/errors.js";
import { canonicalValues } from "../core/records.js";
import { httpUrlSetting } from "../net/http-url.js";
import type { HttpReply } from "../net/http.js";
import { MAX_RETRY_AFTER_MS } from "../net/retry-after.js";
import { VendorError, vendorFailure, type ProviderErrorCode } from "./errors.js";
import { sendVendor, tryJson } from "./kit/http.js";
import { planRecords } from "./kit/record-plan.js";
import { applyPlan, withOneReplan } from "./kit/record-writes.js";
import { secret } from "./kit/secrets.js";
import { assertSupported, relativeName, vendorSet, fullCapabilities } from "./kit/sets.js";
import { statusFailure } from "./kit/status-failure.js";
import type {
  CallContext,
  Provider,
  ProviderCapabilities,
  ProviderDefinition,
  ProviderDeps,
  ProviderRecordType,
  WriteOutcome,
  WriteRequest,
} from "./types.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";
import { ZoneWalker } from "./kit/zone-walk.js";

const VENDOR = "DigitalOcean";
const MIN_TTL = 30;
const DEFAULT_TTL = 1800;
const MAX_PAGES = 20;

export interface DigitalOceanSettings {
  /** Personal access token (dop_v1_…) with the domain scopes. */
  readonly api_token: string;
  /** The domain as added to DigitalOcean; when absent it is found by name. */
  readonly zone?: string | undefined;
  readonly endpoint: string;
}

const settings: z.ZodType<DigitalOceanSettings> = z.strictObject({
  api_token: secret(
    z
      .string({ error: "expected a DigitalOcean personal access token (api_token or api_token_file)" })
      .regex(/^[A-Za-z0-9._~+/=-]+$/, { error: "a token is one word (dop_v1_…)" }),
  ),
  zone: zoneNameSetting.optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://api.digitalocean.com/v2"),
});

const capabilities: ProviderCapabilities = fullCapabilities(MIN_TTL);

export const digitaloceanProvider: ProviderDefinition<DigitalOceanSettings> = {
  type: "digitalocean",
  description: "DigitalOcean DNS (API v2, personal access token)",
  settings,
  create: (id, s, deps) => createDigitalOcean(id, s, deps),
};

const DoRecord = z.object({
  id: z.number().int(),
  type: z.string(),
  data: z.string(),
  ttl: z.number().int(),
});
type DoRecord = z.infer<typeof DoRecord>;
const RecordPage = z.object({
  domain_records: z.array(DoRecord),
  links: z.object({ pages: z.object({ next: z.string().optional() }).optional() }).optional(),
});
const DoError = z.object({ id: z.string(), message: z.string() });

interface Call {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** How this call reads a 404 (the domain is missing for lists, a record vanished for writes). */
  readonly notFound: ProviderErrorCode;
}

function createDigitalOcean(id: string, s: DigitalOceanSettings, deps: ProviderDeps): Provider {
  const base = s.endpoint.replace(/\/+$/, "");
  const walker = new ZoneWalker<string>(VENDOR);

  async function call(c: Call, ctx: CallContext): Promise<HttpReply> {
    const query = c.query === undefined ? "" : `?${new URLSearchParams(c.query).toString()}`;
    const reply = await sendVendor(
      deps,
      VENDOR,
      {
        method: c.method,
        url: `${base}${c.path}${query}`,
        headers: {
          authorization: `Bearer ${s.api_token}`,
          accept: "application/json",
          ...(c.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
      },
      ctx,
    );
    if (reply.status >= 200 && reply.status < 300) return reply;
    throw failure(reply, c.notFound);
  }

  function failure(reply: HttpReply, notFound: ProviderErrorCode): BeaconError {
    const body = DoError.safeParse(tryJson(reply.body));
    const words = body.success ? { message: body.data.message, vendorCode: body.data.id } : undefined;
    const code: ProviderErrorCode | undefined =
      reply.status === 404 ? notFound : reply.status === 422 ? "provider_rejected" : undefined;
    return statusFailure(VENDOR, reply, deps.clock(), words, { code, retryAfterMs: rateLimitWait(reply) });
  }

  /** Retry-After when sent (burst limit); else RateLimit-Reset, the UNIX second the budget is back. */
  function rateLimitWait(reply: HttpReply): number | undefined {
    if (reply.status !== 429 || reply.headers["retry-after"] !== undefined) return undefined;
    const reset = Number(reply.headers["ratelimit-reset"]);
    if (!Number.isFinite(reset) || reset <= 0) return undefined;
    return Math.min(Math.max(0, reset * 1000 - deps.clock()), MAX_RETRY_AFTER_MS);
  }

  async function domainOf(fqdn: string, ctx: CallContext): Promise<string> {
    if (s.zone !== undefined) {
      if (!inZone(fqdn, s.zone))
        throw new BeaconError("provider_zone_not_found", `${VENDOR}: ${fqdn} is not in domain ${s.zone}`, {
          details: { provider: VENDOR },
        });
      return s.zone;
    }
    const found = await walker.find(fqdn, async (name) => {
      try {
        await call({ method: "GET", path: `/domains/${name}`, notFound: "provider_zone_not_found" }, ctx);
        return name;
      } catch (e) {
        if (isBeaconError(e) && e.code === "provider_zone_not_found") return undefined;
        throw e;
      }
    });
    return found.zone;
  }

  async function list(domain: string, fqdn: string, type: ProviderRecordType, ctx: CallContext) {
    const out: DoRecord[] = [];
    let page = 1;
    for (let n = 0; n < MAX_PAGES; n++) {
      const query = { type, name: fqdn, per_page: "200", page: String(page) };
      const reply = await call(
        { method: "GET", path: `/domains/${domain}/records`, query, notFound: "provider_zone_not_found" },
        ctx,
      );
      const parsed = RecordPage.safeParse(tryJson(reply.body));
      if (!parsed.success) throw shapeError(reply, "record list");
      out.push(...parsed.data.domain_records.filter((r) => r.type === type));
      const next = parsed.data.links?.pages?.next;
      if (next === undefined) return out;
      const nextPage = Number(new URL(next, "http://x").searchParams.get("page"));
      if (!Number.isInteger(nextPage) || nextPage <= page) throw shapeError(reply, "next page link");
      page = nextPage;
    }
    throw new BeaconError(
      "malformed_reply",
      `${VENDOR}: more than ${MAX_PAGES} pages of records for ${fqdn}`,
    );
  }

  function valueOf(type: ProviderRecordType, r: DoRecord): string {
    try {
      return canonicalValues(type, [r.data])[0] ?? r.data;
    } catch {
      throw vendorFailure(
        "malformed_reply",
        new VendorError(VENDOR, `holds ${type} data that is not valid: ${r.data.slice(0, 40)}`),
      );
    }
  }

  async function upsertOnce(domain: string, req: WriteRequest, ctx: CallContext): Promise<WriteOutcome> {
    const records = await list(domain, req.fqdn, req.type, ctx);
    const ttl = req.ttl !== undefined ? Math.max(req.ttl, MIN_TTL) : (records[0]?.ttl ?? DEFAULT_TTL);
    const held = records.map((r) => ({ id: String(r.id), value: valueOf(req.type, r), ttl: r.ttl }));
    const path = `/domains/${domain}/records`;
    return applyPlan(planRecords(held, req.values, ttl), {
      update: async (recordId, data) => {
        const body = { data, ttl };
        await call(
          { method: "PATCH", path: `${path}/${recordId}`, body, notFound: "provider_conflict" },
          ctx,
        );
      },
      create: async (data) => {
        const body = { type: req.type, name: relativeName(req.fqdn, domain), data, ttl };
        await call({ method: "POST", path, body, notFound: "provider_zone_not_found" }, ctx);
      },
      remove: (recordId) => removeRecord(domain, recordId, ctx),
    });
  }

  async function removeRecord(domain: string, recordId: string, ctx: CallContext): Promise<void> {
    const path = `/domains/${domain}/records/${recordId}`;
    try {
      await call({ method: "DELETE", path, notFound: "provider_conflict" }, ctx);
    } catch (e) {
      // Already deleted by someone else: the goal is reached.
      if (!(isBeaconError(e) && e.code === "provider_conflict")) throw e;
    }
  }

  return {
    id,
    type: "digitalocean",
    capabilities,

    async get(fqdn, type, ctx) {
      assertSupported(VENDOR, capabilities, type);
      const records = await list(await domainOf(fqdn, ctx), fqdn, type, ctx);
      if (records.length === 0) return undefined;
      const values = records.map((r) => valueOf(type, r));
      return vendorSet(VENDOR, type, Math.min(...records.map((r) => r.ttl)), values);
    },

    async upsert(req, ctx) {
      assertSupported(VENDOR, capabilities, req.type, req.values.length);
      const domain = await domainOf(req.fqdn, ctx);
      // A record that vanished under a PATCH (404) means another writer: read again once.
      return withOneReplan(() => upsertOnce(domain, req, ctx));
    },

    async delete(fqdn, type, ctx) {
      assertSupported(VENDOR, capabilities, type);
      const domain = await domainOf(fqdn, ctx);
      const records = await list(domain, fqdn, type, ctx);
      for (const r of records) await removeRecord(domain, String(r.id), ctx);
      return records.length === 0 ? "unchanged" : "changed";
    },
  };
}

function shapeError(reply: HttpReply, what: string): BeaconError {
  return vendorFailure(
    "malformed_reply",
    new VendorError(VENDOR, `unexpected ${what} in the reply: ${reply.body.slice(0, 80)}`, {
      status: reply.status,
    }),
  );
}
