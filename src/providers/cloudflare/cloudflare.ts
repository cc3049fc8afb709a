// Provider "cloudflare": Cloudflare's API v4 with an API token (Authorization: Bearer …).
// Cloudflare keeps one record per value, so a set is the records of one name and type, reconciled
// with planRecords: records are updated in place with PATCH {content, ttl} only, which keeps what
// Beacon does not manage (proxied flag, comment, tags, settings); new records get `proxied` from
// the settings. TTL 1 is Cloudflare's "automatic" (300 s for DNS-only records): get() reports it as
// 300, and a write asking for 300 over an automatic record is unchanged (the answers are the same).
// Proxied records always have an automatic TTL, so their TTL is neither compared nor written.
// TXT content is sent as a quoted character string, as Cloudflare's API documents.

import { z } from "zod";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import { isAtOrBelow } from "../../core/names.js";
import { canonicalValues } from "../../core/records.js";
import { httpUrlSetting } from "../../net/http-url.js";
import { CLOUDFLARE, cloudflareCall, cloudflareShapeError, type CloudflareApi } from "./api.js";
import { planRecords, type HeldRecord } from "../kit/record-plan.js";
import { applyPlan, withOneReplan } from "../kit/record-writes.js";
import { secret } from "../kit/secrets.js";
import { assertSupported, vendorSet, fullCapabilities } from "../kit/sets.js";
import { fromContent, toContent } from "../kit/txt-presentation.js";
import type {
  CallContext,
  Provider,
  ProviderCapabilities,
  ProviderDefinition,
  ProviderDeps,
  ProviderRecordType,
  ProviderRRSet,
  WriteOutcome,
  WriteRequest,
} from "../types.js";
import { ZoneWalker } from "../kit/zone-walk.js";

/** TTL 1 means "automatic", which Cloudflare serves as 300 s for records that are not proxied. */
const AUTO_TTL = 1;
const AUTO_SECONDS = 300;
const MIN_TTL = 60;
const MAX_TTL = 86_400;

export interface CloudflareSettings {
  /** API token with Zone → DNS → Edit on the zone. */
  readonly api_token: string;
  /** The zone's id (Overview page); when absent the zone is found by name. */
  readonly zone_id?: string | undefined;
  readonly endpoint: string;
  /** TTL for writes that carry none (1 = automatic); absent: keep the record's, automatic for new ones. */
  readonly ttl?: number | undefined;
  /** Proxy NEW records through Cloudflare; existing records keep their flag. */
  readonly proxied?: boolean | undefined;
}

const settings: z.ZodType<CloudflareSettings> = z.strictObject({
  api_token: secret(
    z
      .string({ error: "expected a Cloudflare API token (api_token or api_token_file)" })
      .regex(/^[A-Za-z0-9._~+/=-]+$/, { error: "an API token is one word of letters, digits, '-' and '_'" }),
  ),
  zone_id: z
    .string({ error: "expected the zone id (32 hex digits, from the zone's Overview page)" })
    .regex(/^[0-9a-f]{32}$/, { error: "a zone id is 32 lowercase hex digits" })
    .optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://api.cloudflare.com/client/v4"),
  ttl: z
    .number({ error: "expected a TTL in seconds" })
    .int({ error: "expected a whole number of seconds" })
    .refine((t) => t === AUTO_TTL || (t >= MIN_TTL && t <= MAX_TTL), {
      error: `Cloudflare takes 1 (automatic) or ${MIN_TTL}–${MAX_TTL} seconds`,
    })
    .optional(),
  proxied: z.boolean({ error: "expected true or false" }).optional(),
});

const capabilities: ProviderCapabilities = fullCapabilities(MIN_TTL);

export const cloudflareProvider: ProviderDefinition<CloudflareSettings> = {
  type: "cloudflare",
  description: "Cloudflare DNS (API v4, API token); keeps proxied flags and comments",
  settings,
  create: (id, s, deps) => createCloudflare(id, s, deps),
};

const Zone = z.object({ id: z.string().min(1), name: z.string().min(1) });
const Record = z.object({
  id: z.string().min(1),
  type: z.string(),
  content: z.string(),
  ttl: z.number().int(),
  proxied: z.boolean().optional(),
});
type CfRecord = z.infer<typeof Record>;

/** Seconds a TTL stands for (automatic is 300). */
const seconds = (ttl: number) => (ttl === AUTO_TTL ? AUTO_SECONDS : ttl);
/** Cloudflare's range; a shorter TTL asked for is raised to its minimum (and compared as such). */
const clampTtl = (ttl: number) => Math.min(Math.max(ttl, MIN_TTL), MAX_TTL);

function createCloudflare(id: string, s: CloudflareSettings, deps: ProviderDeps): Provider {
  const api: CloudflareApi = cloudflareCall(deps, s.endpoint, s.api_token);
  const walker = new ZoneWalker<string>(CLOUDFLARE);
  let configuredZone: Promise<z.infer<typeof Zone>> | undefined;

  async function zoneIdFor(fqdn: string, ctx: CallContext): Promise<string> {
    if (s.zone_id === undefined) {
      const found = await walker.find(fqdn, async (name) => {
        const { result } = await api({ method: "GET", path: "/zones", query: { name } }, ctx);
        const zones = z.array(Zone).safeParse(result);
        if (!zones.success) throw cloudflareShapeError("zone list");
        return zones.data.find((zone) => zone.name.toLowerCase() === name)?.id;
      });
      return found.zone;
    }
    // A configured zone id is checked against the name once: Cloudflare would append the zone to a
    // name outside it (foo.other.net → foo.other.net.example.com) instead of refusing it.
    const zoneId = s.zone_id;
    configuredZone ??= api({ method: "GET", path: `/zones/${zoneId}` }, ctx).then(({ result }) => {
      const zone = Zone.safeParse(result);
      if (!zone.success) throw cloudflareShapeError("zone");
      return zone.data;
    });
    const zone = await configuredZone.catch((e: unknown) => {
      configuredZone = undefined;
      throw e;
    });
    if (!isAtOrBelow(fqdn, zone.name.toLowerCase()))
      throw new BeaconError("provider_zone_not_found", `${CLOUDFLARE}: ${fqdn} is not in zone ${zone.name}`, {
        details: { provider: CLOUDFLARE },
      });
    return zone.id;
  }

  async function list(
    zoneId: string,
    fqdn: string,
    type: ProviderRecordType,
    ctx: CallContext,
  ): Promise<CfRecord[]> {
    const out: CfRecord[] = [];
    // Bounded: a set has at most a handful of records; 20 pages of 100 is far beyond any real set.
    for (let page = 1; page <= 20; page++) {
      const query = { type, name: fqdn, match: "all", page: String(page), per_page: "100" };
      const { result, totalPages } = await api(
        { method: "GET", path: `/zones/${zoneId}/dns_records`, query },
        ctx,
      );
      const records = z.array(Record).safeParse(result);
      if (!records.success) throw cloudflareShapeError("record list");
      out.push(...records.data.filter((r) => r.type === type));
      if (totalPages === undefined || page >= totalPages) return out;
    }
    throw cloudflareShapeError("record list (more than 20 pages)");
  }

  function valueOf(type: ProviderRecordType, r: CfRecord): string {
    // TXT content stored before Cloudflare asked for quotes is the bare value, spaces and all.
    const bare = type === "TXT" && !r.content.trimStart().startsWith('"');
    const value = bare ? r.content : fromContent(CLOUDFLARE, type, r.content);
    try {
      return canonicalValues(type, [value])[0] ?? value;
    } catch {
      throw cloudflareShapeError(`${type} content ${JSON.stringify(r.content.slice(0, 40))}`);
    }
  }

  async function upsertOnce(zoneId: string, req: WriteRequest, ctx: CallContext): Promise<WriteOutcome> {
    const records = await list(zoneId, req.fqdn, req.type, ctx);
    const heldTtl = records.find((r) => r.proxied !== true)?.ttl;
    const wireTtl = req.ttl !== undefined ? clampTtl(req.ttl) : (s.ttl ?? heldTtl ?? AUTO_TTL);
    const want = seconds(wireTtl);
    const held: HeldRecord[] = records.map((r) => ({
      id: r.id,
      value: valueOf(req.type, r),
      // Proxied records are always automatic: their TTL is not ours to compare.
      ttl: r.proxied === true ? want : seconds(r.ttl),
    }));
    const plan = planRecords(held, req.values, want);
    const proxiedIds = new Set(records.filter((r) => r.proxied === true).map((r) => r.id));
    const path = `/zones/${zoneId}/dns_records`;
    return applyPlan(plan, {
      update: async (recordId, value) => {
        const ttl = proxiedIds.has(recordId) ? {} : { ttl: wireTtl };
        const body = { content: toContent(req.type, value), ...ttl };
        await api({ method: "PATCH", path: `${path}/${recordId}`, body }, ctx);
      },
      create: async (value) => {
        // Only address records can be proxied; a proxied record's TTL is automatic.
        const proxied = req.type === "TXT" ? undefined : s.proxied;
        const body = {
          type: req.type,
          name: req.fqdn,
          content: toContent(req.type, value),
          ttl: proxied === true ? AUTO_TTL : wireTtl,
          ...(proxied === undefined ? {} : { proxied }),
        };
        await api({ method: "POST", path, body }, ctx);
      },
      remove: (recordId) => removeRecord(zoneId, recordId, ctx),
    });
  }

  async function removeRecord(zoneId: string, recordId: string, ctx: CallContext): Promise<void> {
    try {
      await api({ method: "DELETE", path: `/zones/${zoneId}/dns_records/${recordId}` }, ctx);
    } catch (e) {
      // 81044: already gone (another writer deleted it) — the goal is reached.
      if (!(isBeaconError(e) && e.details?.vendorCode === "81044")) throw e;
    }
  }

  return {
    id,
    type: "cloudflare",
    capabilities,

    async get(fqdn, type, ctx): Promise<ProviderRRSet | undefined> {
      assertSupported(CLOUDFLARE, capabilities, type);
      const records = await list(await zoneIdFor(fqdn, ctx), fqdn, type, ctx);
      if (records.length === 0) return undefined;
      const ttl = Math.min(...records.map((r) => (r.proxied === true ? AUTO_SECONDS : seconds(r.ttl))));
      return vendorSet(
        CLOUDFLARE,
        type,
        ttl,
        records.map((r) => valueOf(type, r)),
      );
    },

    async upsert(req, ctx): Promise<WriteOutcome> {
      assertSupported(CLOUDFLARE, capabilities, req.type, req.values.length);
      const zoneId = await zoneIdFor(req.fqdn, ctx);
      // 81057/81058/81044: another writer got between our read and our write; read again once.
      return withOneReplan(() => upsertOnce(zoneId, req, ctx));
    },

    async delete(fqdn, type, ctx): Promise<WriteOutcome> {
      assertSupported(CLOUDFLARE, capabilities, type);
      const zoneId = await zoneIdFor(fqdn, ctx);
      const records = await list(zoneId, fqdn, type, ctx);
      for (const r of records) await removeRecord(zoneId, r.id, ctx);
      return records.length === 0 ? "unchanged" : "changed";
    },
  };
}
