// Provider "huaweicloud": Huawei Cloud DNS public zones (https://support.huaweicloud.com/intl/en-us/api-dns/),
// record sets through the v2.1 API, every request signed "SDK-HMAC-SHA256" (./signing/huawei-sdk-hmac.ts).
//
// Huawei holds whole record sets (one `records` array per name, type and line), so this is an
// rrsetProvider: read the set, PUT it whole, POST a new one, DELETE it. Names go with a trailing dot;
// TXT values are quoted character strings. Only the default line ("default_view") is managed: sets on
// other lines (intelligent resolution) are someone else's split answers. An update sends back the set's
// description (Beacon does not manage it); weight, line and health checks are not in the PUT at all.
//
// Zones: the configured `zone`, or the longest public zone of the account holding the name, from
// GET /v2/zones?type=public (paged by limit/offset, metadata.total_count), cached per instance.
// Errors are {code, message} from DNS (DNS.0xxx) or {error_code, error_msg} from the API gateway
// (APIGW.0xxx); the code decides, the HTTP status only when the code is unknown.

import { retryAfterOf, sendVendor, tryJsonBody, type VendorRequest } from "./kit/http.js";
import { z } from "zod";
import type { BeaconError } from "../core/errors.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import {
  VendorError,
  clip,
  codeForStatus,
  vendorFailure,
  type ProviderErrorCode,
  vendorCodes,
} from "./errors.js";
import { rrsetProvider } from "./kit/rrset-provider.js";
import { secret } from "./kit/secrets.js";
import { ttlToWrite, vendorSet, fullCapabilities } from "./kit/sets.js";
import { zoneNameSetting } from "./kit/zone-setting.js";
import { sdkDate, sdkHmacSign } from "./kit/signing/huawei-sdk-hmac.js";
import { fromContent, toContent } from "./kit/txt-presentation.js";
import type {
  CallContext,
  ProviderCapabilities,
  ProviderDefinition,
  ProviderDeps,
  ProviderRecordType,
  ProviderRRSet,
} from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { zoneFinder, type AccountZone } from "./kit/zone-list.js";

export interface HuaweiCloudSettings {
  /** Access key (AK) and secret key (SK) of an IAM user (see docs/providers/huaweicloud.md). */
  readonly access_key: string;
  readonly secret_key: string;
  /** https://dns.myhuaweicloud.com (global) or a regional https://dns.<region>.myhuaweicloud.com. */
  readonly endpoint: string;
  /** Sent as X-Project-Id when set (IAM users scoped to one project). */
  readonly project_id?: string | undefined;
  /** The public zone, e.g. example.com; discovered from the account's zones when absent. */
  readonly zone?: string | undefined;
  /** TTL of a new set when the write has none (Huawei's default is 300). */
  readonly ttl: number;
}

const settings: z.ZodType<HuaweiCloudSettings> = z.strictObject({
  access_key: secret(
    z
      .string({ error: "expected the access key (AK)" })
      .regex(/^[A-Za-z0-9]{1,128}$/, { error: "an access key is letters and digits" }),
  ),
  secret_key: secret(
    z
      .string({ error: "expected the secret key (or secret_key_file)" })
      .min(1, { error: "the secret key is empty" }),
  ),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://dns.myhuaweicloud.com/"),
  project_id: z
    .string({ error: "expected a project id" })
    .regex(/^[A-Za-z0-9-]{1,64}$/, { error: "a project id is letters, digits and '-'" })
    .optional(),
  zone: zoneNameSetting.optional(),
  ttl: z.int({ error: "expected a TTL in seconds" }).min(1).max(2_147_483_647).default(300),
});

const CAPABILITIES: ProviderCapabilities = fullCapabilities();

export const huaweicloudProvider: ProviderDefinition<HuaweiCloudSettings> = {
  type: "huaweicloud",
  description: "Huawei Cloud DNS public zones with an AK/SK pair (API v2.1, SDK-HMAC-SHA256 signing)",
  settings,
  create: (id, s, deps) => createHuaweiCloud(id, s, deps),
};

const PAGE = 500;
const MAX_PAGES = 50;
const DEFAULT_LINE = "default_view";

const recordset = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  ttl: z.number(),
  records: z.array(z.string()),
  description: z.string().nullable().optional(),
  line: z.string().optional(),
});
type Recordset = z.infer<typeof recordset>;
const recordsetPage = z.object({
  recordsets: z.array(recordset),
  metadata: z.object({ total_count: z.number() }),
});
const zonePage = z.object({
  zones: z.array(z.object({ id: z.string(), name: z.string() })),
  metadata: z.object({ total_count: z.number() }),
});
const anything = z.unknown();
const errorBody = z.union([
  z.object({ code: z.string(), message: z.string().optional() }),
  z.object({ error_code: z.string(), error_msg: z.string().optional() }),
]);

const CODES = vendorCodes({
  "APIGW.0301": "provider_auth",
  "APIGW.0303": "provider_auth",
  "APIGW.0305": "provider_auth",
  "DNS.0005": "provider_auth",
  "APIGW.0302": "provider_permission",
  "APIGW.0306": "provider_permission",
  "DNS.0013": "provider_permission",
  "DNS.0040": "provider_permission",
  "APIGW.0308": "provider_rate_limited",
  "DNS.0014": "provider_rate_limited",
  "DNS.0021": "provider_rate_limited",
  "DNS.0302": "provider_zone_not_found",
  "DNS.1206": "provider_zone_not_found",
  "DNS.0312": "provider_conflict",
  "DNS.0335": "provider_conflict",
  "DNS.0313": "provider_conflict",
  "DNS.0209": "provider_unavailable",
  "DNS.0314": "provider_unavailable",
  "DNS.0000": "provider_unavailable",
  "DNS.0001": "provider_unavailable",
  "DNS.0003": "provider_unavailable",
});

/** The catalogue code for a Huawei error reply: its code when we know it, else the HTTP status. */
export function huaweiErrorCode(status: number, code: string | undefined): ProviderErrorCode {
  return CODES(code) ?? codeForStatus(status);
}

interface HeldSet {
  readonly set: ProviderRRSet;
  readonly zoneId: string;
  readonly raw: Recordset;
}

function createHuaweiCloud(id: string, s: HuaweiCloudSettings, deps: ProviderDeps) {
  const vendor = `huaweicloud ${id}`;
  const endpoint = new URL(s.endpoint);
  const prefix = endpoint.pathname.replace(/\/+$/, "");

  async function call<T>(
    method: VendorRequest["method"],
    path: string,
    query: readonly (readonly [string, string])[],
    body: unknown,
    schema: z.ZodType<T>,
    ctx: CallContext,
  ): Promise<{ status: number; data: T } | { status: number; error: BeaconError; vendorCode?: string }> {
    const url = new URL(endpoint.origin);
    url.pathname = prefix + path;
    for (const [k, v] of query) url.searchParams.append(k, v);
    const payload = body === undefined ? "" : JSON.stringify(body);
    const signed: Record<string, string> = {
      "content-type": "application/json",
      host: url.host,
      "x-sdk-date": sdkDate(deps.clock()),
      ...(s.project_id === undefined ? {} : { "x-project-id": s.project_id }),
    };
    const { authorization } = sdkHmacSign({
      accessKey: s.access_key,
      secretKey: s.secret_key,
      method,
      path: url.pathname,
      query,
      headers: signed,
      body: payload,
    });
    const reply = await sendVendor(
      deps,
      vendor,
      {
        method,
        url: url.toString(),
        headers: { ...signed, authorization },
        ...(body === undefined ? {} : { body: payload }),
      },
      ctx,
    );
    if (reply.status >= 200 && reply.status < 300) {
      // Writes need no reply body (we read back before the next write); an empty 204 is fine.
      if (schema === anything && reply.body.trim() === "")
        return { status: reply.status, data: undefined as T };
      return { status: reply.status, data: vendorReply(reply, vendor, schema) };
    }
    return { status: reply.status, ...failure(method, path, reply) };
  }

  function failure(
    method: string,
    path: string,
    reply: HttpReply,
  ): { error: BeaconError; vendorCode?: string } {
    const parsed = tryJsonBody(reply.body, errorBody);
    const code = parsed === undefined ? undefined : "code" in parsed ? parsed.code : parsed.error_code;
    const text =
      parsed === undefined
        ? clip(reply.body, 120) || "empty reply"
        : (("message" in parsed ? parsed.message : "error_msg" in parsed ? parsed.error_msg : undefined) ??
          "no message");
    const cause = new VendorError(vendor, `${method} ${path}: ${text}`, {
      status: reply.status,
      ...(code === undefined ? {} : { vendorCode: code }),
    });
    const error = vendorFailure(huaweiErrorCode(reply.status, code), cause, {
      retryAfterMs: retryAfterOf(reply, deps.clock()),
    });
    return { error, ...(code === undefined ? {} : { vendorCode: code }) };
  }

  async function ok<T>(p: ReturnType<typeof call<T>>): Promise<T> {
    const r = await p;
    if ("error" in r) throw r.error;
    return r.data;
  }

  async function listZones(ctx: CallContext): Promise<AccountZone[]> {
    const zones: AccountZone[] = [];
    for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
      const query = [
        ["type", "public"],
        ["limit", String(PAGE)],
        ["offset", String(offset)],
      ] as const;
      const got = await ok(call("GET", "/v2/zones", query, undefined, zonePage, ctx));
      for (const z of got.zones) zones.push({ name: z.name.toLowerCase().replace(/\.$/, ""), id: z.id });
      offset += got.zones.length;
      if (got.zones.length === 0 || offset >= got.metadata.total_count) break;
    }
    return zones;
  }

  const findZone = zoneFinder({ vendor, configured: s.zone, list: listZones });
  const setsPath = (zoneId: string) => `/v2.1/zones/${encodeURIComponent(zoneId)}/recordsets`;

  async function read(
    fqdn: string,
    type: ProviderRecordType,
    ctx: CallContext,
  ): Promise<HeldSet | undefined> {
    const zone = await findZone(fqdn, ctx);
    for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
      const query = [
        ["name", `${fqdn}.`],
        ["type", type],
        ["search_mode", "equal"],
        ["limit", String(PAGE)],
        ["offset", String(offset)],
      ] as const;
      const got = await ok(call("GET", setsPath(zone.id), query, undefined, recordsetPage, ctx));
      const mine = got.recordsets.find(
        (r) =>
          r.name.toLowerCase().replace(/\.$/, "") === fqdn &&
          r.type === type &&
          (r.line === undefined || r.line === DEFAULT_LINE),
      );
      if (mine !== undefined) {
        const values = mine.records.map((c) => fromContent(vendor, type, c));
        const set = vendorSet(vendor, type, mine.ttl, values);
        return set === undefined ? undefined : { set, zoneId: zone.id, raw: mine };
      }
      offset += got.recordsets.length;
      if (got.recordsets.length === 0 || offset >= got.metadata.total_count) break;
    }
    return undefined;
  }

  return rrsetProvider<HeldSet>({
    id,
    type: "huaweicloud",
    vendor,
    capabilities: CAPABILITIES,
    api: {
      read,
      async write(req, current, ctx) {
        const body = {
          name: `${req.fqdn}.`,
          type: req.type,
          ttl: ttlToWrite(req, current?.set, s.ttl),
          records: req.values.map((v) => toContent(req.type, v)),
        };
        if (current === undefined) {
          const zone = await findZone(req.fqdn, ctx);
          await ok(call("POST", setsPath(zone.id), [], body, anything, ctx));
          return;
        }
        const description = current.raw.description;
        const path = `${setsPath(current.zoneId)}/${encodeURIComponent(current.raw.id)}`;
        await ok(
          call("PUT", path, [], { ...body, ...(description == null ? {} : { description }) }, anything, ctx),
        );
      },
      async remove(_fqdn, _type, current, ctx) {
        const path = `${setsPath(current.zoneId)}/${encodeURIComponent(current.raw.id)}`;
        const r = await call("DELETE", path, [], undefined, anything, ctx);
        // Gone already (a concurrent delete): the set is absent, which is what was asked.
        if ("error" in r && r.vendorCode !== "DNS.0313") throw r.error;
      },
    },
  });
}
