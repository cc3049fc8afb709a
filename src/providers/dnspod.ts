// Provider "dnspod": DNSPod through Tencent Cloud API 3.0 (https://cloud.tencent.com/document/api/1427,
// international https://www.tencentcloud.com/document/product/1157), service "dnspod", version
// 2021-03-23. Every call is a POST of a JSON body to the endpoint's "/" with X-TC-Action /
// X-TC-Timestamp / X-TC-Version headers, signed TC3-HMAC-SHA256 (./signing/tc3.ts).
//
// DNSPod keeps one record per value, so a set is the records of one sub-domain, type and line (the
// `record_line` setting, "默认" = the default line; records on other lines are someone else's split
// answers and are never touched). Writes reuse records in place (record-plan.ts) and send back the
// vendor-only fields a ModifyRecord would otherwise reset (Weight, Status, Remark).
//
// Vendor facts the code relies on: errors come as HTTP 200 with Response.Error {Code, Message}; a
// record list with no match is the error ResourceNotFound.NoDataOfRecord (and an account without
// domains ResourceNotFound.NoDataOfDomain), not an empty list; lists page by Offset/Limit with totals
// in RecordCountInfo.TotalCount / DomainCountInfo.DomainTotal; TTL minimums depend on the plan
// (600 on the free plan: LimitExceeded.RecordTtlLimit); TXT values are plain text, not quoted.

import { z } from "zod";
import type { BeaconError } from "../core/errors.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { VendorError, clip, codeForStatus, vendorFailure, type ProviderErrorCode } from "./errors.js";
import { jsonBody, retryAfterOf, sendVendor } from "./kit/http.js";
import { planRecords, type HeldRecord } from "./kit/record-plan.js";
import { secret } from "./kit/secrets.js";
import { assertSupported, relativeName, vendorSet, fullCapabilities } from "./kit/sets.js";
import { zoneNameSetting } from "./kit/zone-setting.js";
import { tc3Sign } from "./kit/signing/tc3.js";
import type {
  CallContext,
  Provider,
  ProviderCapabilities,
  ProviderDefinition,
  ProviderDeps,
  ProviderRecordType,
  WriteRequest,
} from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { zoneFinder, type AccountZone } from "./kit/zone-list.js";

export interface DnspodSettings {
  /** Tencent Cloud API key pair (a CAM sub-user's, see docs/providers/dnspod.md). */
  readonly secret_id: string;
  readonly secret_key: string;
  /** The domain (zone) as DNSPod knows it; discovered with DescribeDomainList when absent. */
  readonly domain?: string | undefined;
  readonly endpoint: string;
  /** TTL of new records when the write has none (DNSPod's default; the free plan's minimum is 600). */
  readonly ttl: number;
  /** The split-horizon line Beacon manages. */
  readonly record_line: string;
}

const settings: z.ZodType<DnspodSettings> = z.strictObject({
  secret_id: secret(
    z
      .string({ error: "expected the SecretId" })
      .regex(/^[A-Za-z0-9]{1,128}$/, { error: "a SecretId is letters and digits (AKID…)" }),
  ),
  secret_key: secret(
    z
      .string({ error: "expected the SecretKey (or secret_key_file)" })
      .min(1, { error: "the SecretKey is empty" }),
  ),
  domain: zoneNameSetting.optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://dnspod.tencentcloudapi.com/"),
  ttl: z.int({ error: "expected a TTL in seconds" }).min(1).max(604_800).default(600),
  record_line: z.string({ error: "expected a line name such as 默认" }).min(1).default("默认"),
});

const CAPABILITIES: ProviderCapabilities = fullCapabilities();

export const dnspodProvider: ProviderDefinition<DnspodSettings> = {
  type: "dnspod",
  description: "DNSPod / Tencent Cloud DNS with a SecretId/SecretKey (API 3.0, TC3-HMAC-SHA256 signing)",
  settings,
  create: (id, s, deps) => createDnspod(id, s, deps),
};

const VERSION = "2021-03-23";
const SERVICE = "dnspod";
const CONTENT_TYPE = "application/json; charset=utf-8";
const PAGE = 100;
const MAX_PAGES = 50;

const dnspodRecord = z.object({
  RecordId: z.number(),
  Name: z.string(),
  Type: z.string(),
  Value: z.string(),
  TTL: z.number(),
  Line: z.string(),
  Status: z.string().optional(),
  Weight: z.number().nullable().optional(),
  Remark: z.string().nullable().optional(),
});
type DnspodRecord = z.infer<typeof dnspodRecord>;

const recordPage = z.object({
  RecordCountInfo: z.object({ TotalCount: z.number() }),
  RecordList: z.array(dnspodRecord),
});
const domainPage = z.object({
  DomainCountInfo: z.object({ DomainTotal: z.number() }),
  DomainList: z.array(z.object({ Name: z.string(), Punycode: z.string().optional() })),
});
const created = z.object({ RecordId: z.number() });
const done = z.object({});
const errorEnvelope = z.object({
  Response: z.object({ Error: z.object({ Code: z.string(), Message: z.string().optional() }).optional() }),
});

const ZONE_CODES = new Set([
  "InvalidParameterValue.DomainNotExists",
  "InvalidParameter.DomainNotExist",
  "InvalidParameter.DomainInvalid",
  "ResourceNotFound.NoDataOfDomain",
]);
const CONFLICT_CODES = new Set(["InvalidParameter.DomainRecordExist", "InvalidParameter.RecordExists"]);

/** The catalogue code for a Tencent Cloud / DNSPod error code. */
export function dnspodErrorCode(code: string): ProviderErrorCode {
  // A CAM policy that does not allow the action: the key is fine, its permissions are not.
  if (code === "AuthFailure.UnauthorizedOperation") return "provider_permission";
  if (code.startsWith("AuthFailure")) return "provider_auth";
  if (code.startsWith("UnauthorizedOperation") || code.startsWith("OperationDenied"))
    return "provider_permission";
  if (code === "FailedOperation.NotDomainOwner") return "provider_permission";
  if (code.startsWith("RequestLimitExceeded")) return "provider_rate_limited";
  if (ZONE_CODES.has(code)) return "provider_zone_not_found";
  if (CONFLICT_CODES.has(code)) return "provider_conflict";
  if (code.startsWith("InternalError") || code === "FailedOperation.UnknowError")
    return "provider_unavailable";
  return "provider_rejected";
}

function createDnspod(id: string, s: DnspodSettings, deps: ProviderDeps): Provider {
  const vendor = `dnspod ${id}`;
  const endpoint = new URL(s.endpoint);

  /** One API action; resolves with its Response, or undefined when the vendor said `tolerated`. */
  async function call<T>(
    action: string,
    params: Record<string, unknown>,
    schema: z.ZodType<T>,
    ctx: CallContext,
    tolerated?: string,
  ): Promise<T | undefined> {
    const payload = JSON.stringify(params);
    const timestamp = Math.floor(deps.clock() / 1000);
    const signedHeaders = { "content-type": CONTENT_TYPE, host: endpoint.host, "x-tc-action": action };
    const { authorization } = tc3Sign({
      secretId: s.secret_id,
      secretKey: s.secret_key,
      service: SERVICE,
      timestamp,
      method: "POST",
      headers: signedHeaders,
      payload,
    });
    const headers = {
      ...signedHeaders,
      "x-tc-timestamp": String(timestamp),
      "x-tc-version": VERSION,
      authorization,
    };
    const reply = await sendVendor(
      deps,
      vendor,
      { method: "POST", url: endpoint.toString(), headers, body: payload },
      ctx,
    );
    if (reply.status !== 200) {
      const cause = new VendorError(vendor, `${action}: ${clip(reply.body, 120) || "empty reply"}`, {
        status: reply.status,
      });
      throw vendorFailure(codeForStatus(reply.status), cause, {
        retryAfterMs: retryAfterOf(reply, deps.clock()),
      });
    }
    const error = errorEnvelope.safeParse(jsonBody(reply, vendor));
    const vendorError = error.success ? error.data.Response.Error : undefined;
    if (vendorError !== undefined) {
      if (vendorError.Code === tolerated) return undefined;
      throw failure(action, vendorError.Code, vendorError.Message ?? "", reply);
    }
    return vendorReply(reply, vendor, z.object({ Response: schema })).Response;
  }

  function failure(action: string, code: string, message: string, reply: HttpReply): BeaconError {
    const cause = new VendorError(vendor, `${action}: ${message || "no message"}`, { vendorCode: code });
    return vendorFailure(dnspodErrorCode(code), cause, { retryAfterMs: retryAfterOf(reply, deps.clock()) });
  }

  async function listDomains(ctx: CallContext): Promise<AccountZone[]> {
    const zones: AccountZone[] = [];
    // Offsets advance by what came back: the vendor may serve shorter pages than Limit asks.
    for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
      const params = { Offset: offset, Limit: PAGE };
      const got = await call(
        "DescribeDomainList",
        params,
        domainPage,
        ctx,
        "ResourceNotFound.NoDataOfDomain",
      );
      if (got === undefined) break;
      for (const d of got.DomainList) {
        const name = (d.Punycode || d.Name).toLowerCase().replace(/\.$/, "");
        zones.push({ name, id: name });
      }
      offset += got.DomainList.length;
      if (got.DomainList.length === 0 || offset >= got.DomainCountInfo.DomainTotal) break;
    }
    return zones;
  }

  const findZone = zoneFinder({
    vendor,
    configured: s.domain,
    ...(s.domain === undefined ? { list: listDomains } : {}),
  });

  interface Held {
    readonly zone: string;
    readonly sub: string;
    readonly records: readonly (DnspodRecord & { readonly canonical: string })[];
  }

  async function held(fqdn: string, type: ProviderRecordType, ctx: CallContext): Promise<Held> {
    const zone = (await findZone(fqdn, ctx)).name;
    const sub = relativeName(fqdn, zone);
    const records: (DnspodRecord & { canonical: string })[] = [];
    for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
      const params = {
        Domain: zone,
        Subdomain: sub,
        RecordType: type,
        RecordLine: s.record_line,
        Offset: offset,
        Limit: PAGE,
      };
      const got = await call(
        "DescribeRecordList",
        params,
        recordPage,
        ctx,
        "ResourceNotFound.NoDataOfRecord",
      );
      if (got === undefined) break;
      for (const r of got.RecordList) {
        // The filters are the vendor's; the exact match is ours (Subdomain matching has varied).
        if (r.Name.toLowerCase() !== sub || r.Type !== type || r.Line !== s.record_line) continue;
        records.push({ ...r, canonical: vendorSet(vendor, type, r.TTL, [r.Value])?.values[0] ?? r.Value });
      }
      offset += got.RecordList.length;
      if (got.RecordList.length === 0 || offset >= got.RecordCountInfo.TotalCount) break;
    }
    return { zone, sub, records };
  }

  const setOf = (type: ProviderRecordType, h: Held) =>
    vendorSet(
      vendor,
      type,
      h.records[0]?.TTL ?? 0,
      h.records.map((r) => r.canonical),
    );

  async function upsert(req: WriteRequest, ctx: CallContext) {
    assertSupported(vendor, CAPABILITIES, req.type, req.values.length);
    const h = await held(req.fqdn, req.type, ctx);
    const values = new Set(h.records.map((r) => r.canonical));
    const sameValues = h.records.length === req.values.length && req.values.every((v) => values.has(v));
    if (sameValues && (req.ttl === undefined || h.records.every((r) => r.TTL === req.ttl)))
      return "unchanged";

    const ttl = req.ttl ?? h.records[0]?.TTL ?? s.ttl;
    const heldRecords: HeldRecord[] = h.records.map((r) => ({
      id: String(r.RecordId),
      value: r.canonical,
      ttl: r.TTL,
    }));
    const plan = planRecords(heldRecords, req.values, ttl);
    const base = { Domain: h.zone, SubDomain: h.sub, RecordType: req.type, RecordLine: s.record_line };
    for (const u of plan.updates) {
      const r = h.records.find((x) => String(x.RecordId) === u.id);
      await call(
        "ModifyRecord",
        {
          ...base,
          RecordId: Number(u.id),
          Value: u.value,
          TTL: u.ttl,
          // Sent back as held: ModifyRecord resets a Weight or Status it is not given.
          ...(r?.Weight === null || r?.Weight === undefined ? {} : { Weight: r.Weight }),
          ...(r?.Status === undefined ? {} : { Status: r.Status }),
          ...(r?.Remark === null || r?.Remark === undefined ? {} : { Remark: r.Remark }),
        },
        done,
        ctx,
      );
    }
    for (const value of plan.creates)
      await call("CreateRecord", { ...base, Value: value, TTL: ttl }, created, ctx);
    for (const recordId of plan.deletes)
      await call("DeleteRecord", { Domain: h.zone, RecordId: Number(recordId) }, done, ctx);
    return "changed" as const;
  }

  return {
    id,
    type: "dnspod",
    capabilities: CAPABILITIES,
    async get(fqdn, type, ctx) {
      assertSupported(vendor, CAPABILITIES, type);
      return setOf(type, await held(fqdn, type, ctx));
    },
    upsert,
    async delete(fqdn, type, ctx) {
      assertSupported(vendor, CAPABILITIES, type);
      const h = await held(fqdn, type, ctx);
      if (h.records.length === 0) return "unchanged";
      for (const r of h.records)
        await call("DeleteRecord", { Domain: h.zone, RecordId: r.RecordId }, done, ctx);
      return "changed";
    },
  };
}
