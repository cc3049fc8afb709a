// Provider "alidns": Alibaba Cloud DNS (云解析 DNS), RPC-style API version 2015-01-09 at
// https://alidns.aliyuncs.com/ (https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-overview).
// Every call is a signed GET (signing/acs-rpc.ts): common parameters Format=JSON, Version, AccessKeyId,
// SignatureMethod=HMAC-SHA1, SignatureVersion=1.0, SignatureNonce (deps.randomBytes), Timestamp
// (deps.clock); the vendor rejects a reused nonce and a timestamp more than 15 minutes off.
//
// AliDNS keeps one record per value. Beacon manages the records of the "default" line only: records
// on other lines (ISP/region split answers) belong to the user and are never read, changed or removed.
// Records are reused in place (planRecords), and an update repeats the record's line, so its weight,
// remark, status and lock stay as they were. "DomainRecordDuplicate" on a write means the vendor already
// holds that record: the write is done.

import { Buffer } from "node:buffer";
import { z } from "zod";
import { BeaconError } from "../core/errors.js";
import { findZone, isAtOrBelow } from "../core/names.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { VendorError, vendorFailure, type ProviderErrorCode } from "./errors.js";
import { jsonBody, retryAfterOf, sendVendor } from "./kit/http.js";
import { isEmptyPlan, planRecords, type HeldRecord } from "./kit/record-plan.js";
import { secret } from "./kit/secrets.js";
import {
  assertSupported,
  isUnchanged,
  relativeName,
  ttlToWrite,
  vendorSet,
  fullCapabilities,
} from "./kit/sets.js";
import { zoneNameSetting } from "./kit/zone-setting.js";
import { percentEncode, rpcSignature, rpcTimestamp, canonicalQuery } from "./kit/signing/acs-rpc.js";
import type {
  CallContext,
  Provider,
  ProviderCapabilities,
  ProviderDefinition,
  ProviderDeps,
  ProviderRecordType,
  ProviderRRSet,
} from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";

export interface AliDnsSettings {
  readonly access_key_id: string;
  readonly access_key_secret: string;
  /** The domain (zone) as AliDNS knows it; discovered with DescribeDomains when absent. */
  readonly domain?: string | undefined;
  /** TTL of new records when the write has none (AliDNS's default is 600; free plans allow ≥ 600). */
  readonly ttl: number;
  readonly endpoint: string;
}

const settings: z.ZodType<AliDnsSettings> = z.strictObject({
  access_key_id: secret(
    z
      .string({ error: "expected the AccessKey ID" })
      .regex(/^[A-Za-z0-9]{1,128}$/, { error: "an AccessKey ID is letters and digits" }),
  ),
  access_key_secret: secret(
    z
      .string({ error: "expected the AccessKey secret (or access_key_secret_file)" })
      .min(1, { error: "the AccessKey secret is empty" }),
  ),
  domain: zoneNameSetting.optional(),
  ttl: z.int({ error: "expected a TTL in seconds" }).min(1).max(86_400).default(600),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://alidns.aliyuncs.com/"),
});

const CAPABILITIES: ProviderCapabilities = fullCapabilities();

export const alidnsProvider: ProviderDefinition<AliDnsSettings> = {
  type: "alidns",
  description: "Alibaba Cloud DNS (AliDNS) with an AccessKey pair (RPC API 2015-01-09, HMAC-SHA1 signing)",
  settings,
  create: (id, s, deps) => createAliDns(id, s, deps),
};

/** The line Beacon manages; AliDNS answers it to every resolver no other line matches. */
const DEFAULT_LINE = "default";
/** Bounds on list paging: 500 records and 100 domains per page are the API's maxima. */
const RECORDS_PAGE = 500;
const DOMAINS_PAGE = 100;
const MAX_PAGES = 20;

const aliRecord = z.object({
  RecordId: z.union([z.string(), z.number()]).transform(String),
  RR: z.string(),
  Type: z.string(),
  Value: z.string(),
  TTL: z.number(),
  Line: z.string().optional(),
});
type AliRecord = z.infer<typeof aliRecord>;

const recordsPage = z.object({
  TotalCount: z.number(),
  DomainRecords: z.object({ Record: z.array(aliRecord) }),
});
const domainsPage = z.object({
  TotalCount: z.number(),
  Domains: z.object({
    Domain: z.array(z.object({ DomainName: z.string(), PunyCode: z.string().optional() })),
  }),
});
const written = z.object({ RecordId: z.union([z.string(), z.number()]) });
const aliError = z.object({ Code: z.string(), Message: z.string().optional() });

function createAliDns(id: string, s: AliDnsSettings, deps: ProviderDeps): Provider {
  const vendor = `alidns ${id}`;
  let known: readonly string[] | undefined;

  async function call<T>(
    action: string,
    params: Record<string, string>,
    schema: z.ZodType<T>,
    ctx: CallContext,
  ): Promise<T> {
    const all: Record<string, string> = {
      ...params,
      Action: action,
      Format: "JSON",
      Version: "2015-01-09",
      AccessKeyId: s.access_key_id,
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: Buffer.from(deps.randomBytes(16)).toString("hex"),
      Timestamp: rpcTimestamp(deps.clock()),
    };
    const signature = rpcSignature("GET", all, s.access_key_secret);
    const url = `${s.endpoint}?${canonicalQuery(all)}&Signature=${percentEncode(signature)}`;
    const reply = await sendVendor(deps, vendor, { method: "GET", url }, ctx);
    if (reply.status !== 200) throw failure(reply);
    return vendorReply(reply, vendor, schema);
  }

  /** A catalogue error for a non-200 reply; AliDNS's `Code` decides, the status only when it is absent. */
  function failure(reply: HttpReply): BeaconError {
    const body = aliError.safeParse(safeJson(reply));
    if (!body.success) {
      const cause = new VendorError(vendor, `unexpected reply: ${reply.body.slice(0, 120)}`, {
        status: reply.status,
      });
      return vendorFailure(reply.status >= 500 ? "provider_unavailable" : "malformed_reply", cause);
    }
    const { Code: code, Message: message } = body.data;
    const cause = new VendorError(vendor, message ?? code, { status: reply.status, vendorCode: code });
    const mapped = codeFor(code, reply.status);
    return vendorFailure(mapped, cause, {
      retryAfterMs: mapped === "provider_rate_limited" ? retryAfterOf(reply, deps.clock()) : undefined,
    });
  }

  function safeJson(reply: HttpReply): unknown {
    try {
      return jsonBody(reply, vendor);
    } catch {
      return undefined;
    }
  }

  /** Writes that find the record already there succeed (AliDNS refuses to store a duplicate). */
  async function write(action: string, params: Record<string, string>, ctx: CallContext): Promise<void> {
    try {
      await call(action, params, written, ctx);
    } catch (e) {
      const cause = e instanceof BeaconError ? e.cause : undefined;
      if (cause instanceof VendorError && cause.vendorCode === "DomainRecordDuplicate") return;
      throw e;
    }
  }

  async function listDomains(ctx: CallContext): Promise<readonly string[]> {
    const out: string[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const p = await call(
        "DescribeDomains",
        { PageNumber: String(page), PageSize: String(DOMAINS_PAGE) },
        domainsPage,
        ctx,
      );
      for (const d of p.Domains.Domain)
        out.push((d.PunyCode ?? d.DomainName).toLowerCase().replace(/\.$/, ""));
      if (p.Domains.Domain.length === 0 || out.length >= p.TotalCount) break;
    }
    return out;
  }

  /**
   * The domain holding `fqdn`: the configured one, else the longest match among the account's domains.
   * The list is cached per provider; a name it does not cover refreshes it (the domain may be new).
   */
  async function domainOf(fqdn: string, ctx: CallContext): Promise<string> {
    if (s.domain !== undefined) {
      if (isAtOrBelow(fqdn, s.domain)) return s.domain;
      throw notInAccount(fqdn, `is not in the configured domain ${s.domain}`);
    }
    const cached = known === undefined ? undefined : findZone(fqdn, known);
    if (cached !== undefined) return cached;
    known = await listDomains(ctx);
    const found = findZone(fqdn, known);
    if (found !== undefined) return found;
    throw notInAccount(fqdn, "is in no domain of this AliDNS account");
  }

  function notInAccount(fqdn: string, why: string): BeaconError {
    return vendorFailure("provider_zone_not_found", new VendorError(vendor, `${fqdn} ${why}`));
  }

  /** The default-line records of `fqdn`/`type`, every page. */
  async function held(fqdn: string, type: ProviderRecordType, ctx: CallContext) {
    const domain = await domainOf(fqdn, ctx);
    const rr = relativeName(fqdn, domain);
    const records: AliRecord[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const p = await call(
        "DescribeSubDomainRecords",
        {
          SubDomain: fqdn,
          DomainName: domain,
          Type: type,
          PageNumber: String(page),
          PageSize: String(RECORDS_PAGE),
        },
        recordsPage,
        ctx,
      );
      records.push(...p.DomainRecords.Record);
      if (p.DomainRecords.Record.length === 0 || records.length >= p.TotalCount) break;
    }
    const mine = records.filter(
      (r) => r.Type === type && r.RR.toLowerCase() === rr && (r.Line ?? DEFAULT_LINE) === DEFAULT_LINE,
    );
    const list: HeldRecord[] = mine.map((r) => ({
      id: r.RecordId,
      value: vendorSet(vendor, type, r.TTL, [r.Value])?.values[0] ?? r.Value,
      ttl: r.TTL,
    }));
    // Records of one set may disagree on TTL (edited by hand); the shortest is what resolvers see first.
    const set: ProviderRRSet | undefined =
      list.length === 0
        ? undefined
        : vendorSet(
            vendor,
            type,
            Math.min(...list.map((r) => r.ttl)),
            list.map((r) => r.value),
          );
    return { domain, rr, list, set };
  }

  return {
    id,
    type: "alidns",
    capabilities: CAPABILITIES,
    async get(fqdn, type, ctx) {
      assertSupported(vendor, CAPABILITIES, type);
      return (await held(fqdn, type, ctx)).set;
    },
    async upsert(req, ctx) {
      assertSupported(vendor, CAPABILITIES, req.type, req.values.length);
      const now = await held(req.fqdn, req.type, ctx);
      if (isUnchanged(now.set, req)) return "unchanged";
      const ttl = ttlToWrite(req, now.set, s.ttl);
      const plan = planRecords(now.list, req.values, ttl);
      if (isEmptyPlan(plan)) return "unchanged";
      const base = { RR: now.rr, Type: req.type, Line: DEFAULT_LINE };
      for (const u of plan.updates) {
        await write(
          "UpdateDomainRecord",
          { ...base, RecordId: u.id, Value: u.value, TTL: String(u.ttl) },
          ctx,
        );
      }
      for (const value of plan.creates) {
        await write(
          "AddDomainRecord",
          { ...base, DomainName: now.domain, Value: value, TTL: String(ttl) },
          ctx,
        );
      }
      for (const recordId of plan.deletes) {
        await call("DeleteDomainRecord", { RecordId: recordId }, written, ctx);
      }
      return "changed";
    },
    async delete(fqdn, type, ctx) {
      assertSupported(vendor, CAPABILITIES, type);
      const now = await held(fqdn, type, ctx);
      if (now.list.length === 0) return "unchanged";
      for (const r of now.list) await call("DeleteDomainRecord", { RecordId: r.id }, written, ctx);
      return "changed";
    },
  };
}

/** AliDNS error codes (https://api.aliyun.com/document/Alidns/2015-01-09/errorCode) onto the catalogue. */
function codeFor(code: string, status: number): ProviderErrorCode {
  if (AUTH.has(code) || code.startsWith("InvalidAccessKeyId")) return "provider_auth";
  if (code.startsWith("Forbidden") || code === "NoPermission") return "provider_permission";
  if (code.startsWith("Throttling") || code === "LastOperationNotFinished") return "provider_rate_limited";
  if (ZONE.has(code)) return "provider_zone_not_found";
  if (CONFLICT.has(code)) return "provider_conflict";
  if (code === "ServiceUnavailable" || code === "InternalError" || code === "UnknownError" || status >= 500)
    return "provider_unavailable";
  if (status === 429) return "provider_rate_limited";
  return "provider_rejected";
}

const AUTH = new Set(["SignatureDoesNotMatch", "IncompleteSignature", "InvalidSecurityToken.Expired"]);
const ZONE = new Set([
  "InvalidDomainName.NoExist",
  "DomainRecordNotBelongToUser",
  "IncorrectDomainUser",
  "InvalidDomain.NotFound",
]);
const CONFLICT = new Set(["DomainRecordConflict", "DomainRecordLocked"]);
