// Provider "porkbun": Porkbun's API v3 (https://porkbun.com/api/json/v3/documentation) at
// api.porkbun.com (the old porkbun.com host stopped serving the API on 2024-12-01). Every call is a
// POST of a JSON body carrying `apikey` and `secretapikey`; replies are {status: "SUCCESS" | "ERROR",
// message?, …}. Porkbun keeps one record per value, so a set is the records retrieveByNameType
// returns, reconciled with planRecords: /dns/edit/{domain}/{id} in place (without `notes` or `prio`,
// which Porkbun then keeps), /dns/create/{domain}, /dns/delete/{domain}/{id}.
//
// The domain is the `domain` setting, or the longest of the account's domains (/domain/listAll,
// paged with `start`) that holds the name, fetched once per instance (zone-list.ts).
//
// Porkbun's smallest TTL is 600 s and it stores 600 for anything lower, so a write below 600 is sent
// as 600 (ttl-floor.ts; `capabilities.minTtl` says so). API access must be switched on per domain
// ("Domain is not opted in to API access." → provider_permission).

import { retryAfterOf, sendVendor, tryJsonBody } from "./kit/http.js";
import { z } from "zod";
import type { BeaconError } from "../core/errors.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { codeForStatus, VendorError, vendorFailure, type ProviderErrorCode } from "./errors.js";
import { isEmptyPlan, planRecords } from "./kit/record-plan.js";
import { withoutSecret } from "./kit/secret-url.js";
import { secret } from "./kit/secrets.js";
import {
  assertSupported,
  isUnchanged,
  relativeName,
  ttlToWrite,
  vendorSet,
  fullCapabilities,
} from "./kit/sets.js";
import { withTtlFloor } from "./kit/ttl-floor.js";
import type {
  CallContext,
  ProviderCapabilities,
  ProviderDefinition,
  ProviderRecordType,
  ProviderRRSet,
} from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { zoneFinder, type AccountZone } from "./kit/zone-list.js";
import { zoneNameSetting } from "./kit/zone-setting.js";

export const PORKBUN_MIN_TTL = 600;
const MAX_TTL = 86_400 * 7;
/** listAll pages; Porkbun serves 1000 domains a page, so this bounds an account at 100 000 domains. */
const MAX_PAGES = 100;

export interface PorkbunSettings {
  readonly api_key: string;
  readonly secret_api_key: string;
  /** The domain at Porkbun; absent: found from the account's domains. */
  readonly domain?: string | undefined;
  readonly endpoint: string;
  /** TTL for new records when a write carries none (default Porkbun's 600). */
  readonly ttl?: number | undefined;
}

const key = (what: string, prefix: string) =>
  z
    .string({ error: `expected the Porkbun ${what} (porkbun.com/account/api)` })
    .regex(/^[A-Za-z0-9_]+$/, { error: `the Porkbun ${what} is one word (it starts with "${prefix}")` });

const settings: z.ZodType<PorkbunSettings> = z.strictObject({
  api_key: secret(key("API key", "pk1_")),
  secret_api_key: secret(key("secret API key", "sk1_")),
  domain: zoneNameSetting.optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://api.porkbun.com/api/json/v3"),
  ttl: z
    .number({ error: "expected a TTL in seconds" })
    .int({ error: "expected a whole number of seconds" })
    .min(PORKBUN_MIN_TTL, { error: `Porkbun's smallest TTL is ${PORKBUN_MIN_TTL} seconds` })
    .max(MAX_TTL, { error: `a TTL is at most ${MAX_TTL} seconds` })
    .optional(),
});

const capabilities: ProviderCapabilities = fullCapabilities(PORKBUN_MIN_TTL);

const DomainList = z.object({
  status: z.literal("SUCCESS"),
  domains: z.array(z.object({ domain: z.string().min(1) })).default([]),
});
/** Porkbun sends numbers as strings ("600"); both forms are read. */
const Numeric = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const RecordList = z.object({
  status: z.literal("SUCCESS"),
  records: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).transform(String),
      type: z.string(),
      content: z.string(),
      ttl: Numeric,
    }),
  ),
});

interface Held {
  readonly set: ProviderRRSet | undefined;
  readonly records: readonly { id: string; value: string; ttl: number }[];
  readonly domain: string;
}

export const porkbunProvider: ProviderDefinition<PorkbunSettings> = {
  type: "porkbun",
  description: "Porkbun DNS (API v3, API key + secret key); TTL 600 s at the least",
  settings,
  create(id, s, deps) {
    const vendor = `porkbun ${id}`;
    const base = s.endpoint.replace(/\/+$/, "");
    const auth = { apikey: s.api_key, secretapikey: s.secret_api_key };

    /** POST `path` with the credentials and `fields`; a non-SUCCESS reply rejects (an echo of our body loses the secret). */
    async function call(path: string, fields: Record<string, string>, ctx: CallContext): Promise<HttpReply> {
      const body = JSON.stringify({ ...auth, ...fields });
      const reply = await sendVendor(
        deps,
        vendor,
        { method: "POST", url: `${base}${path}`, headers: { "content-type": "application/json" }, body },
        ctx,
      );
      if (reply.status !== 200 || !/"status"\s*:\s*"SUCCESS"/.test(reply.body))
        throw porkbunFailure(
          vendor,
          { ...reply, body: withoutSecret(reply.body, s.secret_api_key) },
          deps.clock(),
        );
      return reply;
    }

    async function listDomains(ctx: CallContext): Promise<AccountZone[]> {
      const out: AccountZone[] = [];
      for (let page = 0, start = 0; page < MAX_PAGES; page++) {
        const reply = await call("/domain/listAll", { start: String(start) }, ctx);
        const { domains } = vendorReply(reply, vendor, DomainList);
        if (domains.length === 0) return out;
        for (const d of domains) out.push({ name: d.domain.toLowerCase(), id: d.domain.toLowerCase() });
        start += domains.length;
      }
      return out;
    }

    const zoneOf = zoneFinder({
      vendor,
      configured: s.domain,
      ...(s.domain === undefined ? { list: listDomains } : {}),
    });

    async function read(fqdn: string, type: ProviderRecordType, ctx: CallContext): Promise<Held> {
      const domain = (await zoneOf(fqdn, ctx)).name;
      const sub = relativeName(fqdn, domain, "");
      const path = `/dns/retrieveByNameType/${domain}/${type}${sub === "" ? "" : `/${sub}`}`;
      const { records } = vendorReply(await call(path, {}, ctx), vendor, RecordList);
      const mine = records.filter((r) => r.type === type);
      // Each value canonical on its own too, so the plan compares like with like.
      const held = mine.map((r) => ({
        id: r.id,
        value: vendorSet(vendor, type, r.ttl, [r.content])?.values[0] ?? r.content,
        ttl: r.ttl,
      }));
      const set = vendorSet(
        vendor,
        type,
        mine[0]?.ttl ?? 0,
        held.map((r) => r.value),
      );
      return { set, records: held, domain };
    }

    return {
      id,
      type: "porkbun",
      capabilities,
      async get(fqdn, type, ctx) {
        assertSupported(vendor, capabilities, type);
        return (await read(fqdn, type, ctx)).set;
      },
      async upsert(request, ctx) {
        assertSupported(vendor, capabilities, request.type, request.values.length);
        const req = withTtlFloor(request, PORKBUN_MIN_TTL);
        const held = await read(req.fqdn, req.type, ctx);
        if (isUnchanged(held.set, req)) return "unchanged";
        const ttl = ttlToWrite(req, held.set, s.ttl ?? PORKBUN_MIN_TTL);
        const plan = planRecords(held.records, req.values, ttl);
        if (isEmptyPlan(plan)) return "unchanged";
        const name = relativeName(req.fqdn, held.domain, "");
        const record = (content: string) => ({ name, type: req.type, content, ttl: String(ttl) });
        for (const u of plan.updates) await call(`/dns/edit/${held.domain}/${u.id}`, record(u.value), ctx);
        for (const c of plan.creates) await call(`/dns/create/${held.domain}`, record(c), ctx);
        for (const d of plan.deletes) await call(`/dns/delete/${held.domain}/${d}`, {}, ctx);
        return "changed";
      },
      async delete(fqdn, type, ctx) {
        assertSupported(vendor, capabilities, type);
        const held = await read(fqdn, type, ctx);
        if (held.records.length === 0) return "unchanged";
        for (const r of held.records) await call(`/dns/delete/${held.domain}/${r.id}`, {}, ctx);
        return "changed";
      },
    };
  },
};

const ErrorBody = z.object({ status: z.string(), message: z.string().optional() });

/** Porkbun's words → catalogue codes (docs/providers/porkbun.md); checked before the HTTP status. */
const BY_MESSAGE: readonly (readonly [RegExp, ProviderErrorCode])[] = [
  [/invalid api key|api key.*(required|missing)|secret/i, "provider_auth"],
  [/not opted in to api access|not authori[sz]ed|permission/i, "provider_permission"],
  [/invalid domain|domain.*not found|not.*your domain/i, "provider_zone_not_found"],
  [/rate limit|too many requests/i, "provider_rate_limited"],
];

/** A Porkbun reply that is not SUCCESS as a catalogue error, Porkbun's message kept. */
export function porkbunFailure(vendor: string, reply: HttpReply, now: number): BeaconError {
  const body = tryJsonBody(reply.body, ErrorBody);
  const message = body?.message ?? (reply.body.trim() === "" ? `HTTP ${reply.status}` : reply.body);
  let code: ProviderErrorCode;
  if (body === undefined) {
    // Not Porkbun's JSON: a 2xx is a broken reply; otherwise the status says what happened (a proxy's page).
    code = reply.status >= 200 && reply.status < 300 ? "malformed_reply" : codeForStatus(reply.status);
  } else if (reply.status === 429) code = "provider_rate_limited";
  else if (reply.status >= 500) code = "provider_unavailable";
  else code = BY_MESSAGE.find(([re]) => re.test(message))?.[1] ?? "provider_rejected";
  return vendorFailure(code, new VendorError(vendor, message, { status: reply.status }), {
    retryAfterMs: code === "provider_rate_limited" ? retryAfterOf(reply, now) : undefined,
  });
}
