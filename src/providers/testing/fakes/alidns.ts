// A fake AliDNS (Alibaba Cloud DNS RPC API, version 2015-01-09) on 127.0.0.1 for the alidns provider's
// tests. Serve it with the provider's `endpoint` set to `fake.url`.
//
// What it checks, as AliDNS documents (https://help.aliyun.com/document_detail/29747.html and the
// API's error codes): every common parameter is present (Format, Version 2015-01-09, AccessKeyId,
// SignatureMethod HMAC-SHA1, SignatureVersion 1.0, SignatureNonce, Timestamp, Signature); the access
// key exists (404 InvalidAccessKeyId.NotFound); the signature, recomputed from the decoded parameters
// with the known secret, matches (400 SignatureDoesNotMatch, echoing the server's string to sign like
// the vendor); the Timestamp is UTC ISO 8601 within 15 minutes of the fake's clock (400
// InvalidTimeStamp.Format / .Expired); a nonce is never reused (400 SignatureNonceUsed). Errors are
// {RequestId, HostId, Code, Message, Recommend}. Lists page by PageNumber/PageSize (at most 500 records,
// 100 domains). Records keep vendor-only fields (Line, Weight, Remark, Status, Locked) in `extra`; an
// update without Line puts the record back on the "default" line, as the API's default says.

import { randomUUID } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { rpcSignature, stringToSign } from "../../kit/signing/acs-rpc.js";
import { FakeZones, json, startFakeVendor } from "../fake-vendor.js";
import type { FakeRecord, FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakeAliDns extends FakeVendor {
  readonly zones: FakeZones;
  /** Actions answered with 403 Forbidden.RAM (a RAM policy that lacks them). */
  readonly forbidden: Set<string>;
}

export interface FakeAliDnsOptions {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly zones: readonly string[];
  /** The fake's clock for the timestamp window (default Date.now). */
  readonly clock?: () => number;
  /** Largest page served whatever PageSize asks (forces paging in tests). */
  readonly maxPageSize?: number;
}

const COMMON = [
  "Format",
  "Version",
  "AccessKeyId",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "Timestamp",
  "Action",
] as const;
const WINDOW_MS = 15 * 60_000;
const TYPES = new Set(["A", "AAAA", "TXT", "CNAME", "MX", "NS", "SRV", "CAA"]);

export function aliError(status: number, code: string, message: string): FakeReply {
  return json(status, {
    RequestId: randomUUID().toUpperCase(),
    HostId: "alidns.aliyuncs.com",
    Code: code,
    Message: message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${code}&product=Alidns`,
  });
}

export async function startFakeAliDns(opts: FakeAliDnsOptions): Promise<FakeAliDns> {
  const zones = new FakeZones(opts.zones);
  const forbidden = new Set<string>();
  const nonces = new Set<string>();
  const clock = opts.clock ?? Date.now;
  const maxPage = opts.maxPageSize ?? 500;
  const fail = (status: number, code: string, message: string) => ({
    reply: aliError(status, code, message),
  });

  function check(req: SeenRequest): { reply: FakeReply } | { params: Record<string, string> } {
    if (req.method !== "GET" && req.method !== "POST")
      return fail(405, "UnsupportedHTTPMethod", "This http method is not supported.");
    const p: Record<string, string> = {};
    for (const [k, v] of req.query) p[k] = v;
    for (const name of COMMON) {
      if (p[name] === undefined || p[name] === "")
        return fail(400, `Missing${name}`, `${name} is mandatory for this action.`);
    }
    if (p.Signature === undefined)
      return fail(400, "IncompleteSignature", "The request signature is missing.");
    if (p.Version !== "2015-01-09")
      return fail(400, "InvalidVersion", "Specified parameter Version is not valid.");
    if (p.Format !== "JSON") return fail(400, "InvalidParameter", "This fake answers Format=JSON only.");
    if (p.SignatureMethod !== "HMAC-SHA1" || p.SignatureVersion !== "1.0")
      return fail(400, "InvalidSignatureMethod", "Specified signature method is not supported.");
    if (p.AccessKeyId !== opts.accessKeyId)
      return fail(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    const expected = rpcSignature(req.method, p, opts.accessKeySecret);
    if (p.Signature !== expected)
      return fail(
        400,
        "SignatureDoesNotMatch",
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign(req.method, p)}`,
      );
    const ts = p.Timestamp ?? "";
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(ts) || Number.isNaN(Date.parse(ts)))
      return fail(
        400,
        "InvalidTimeStamp.Format",
        "Specified time stamp or date value is not well formatted.",
      );
    if (Math.abs(Date.parse(ts) - clock()) > WINDOW_MS)
      return fail(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    const nonce = p.SignatureNonce ?? "";
    if (nonces.has(nonce))
      return fail(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
    nonces.add(nonce);
    if (forbidden.has(p.Action ?? ""))
      return fail(
        403,
        "Forbidden.RAM",
        "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
      );
    return { params: p };
  }

  const requestId = () => randomUUID().toUpperCase();
  const noDomain = () =>
    aliError(
      400,
      "InvalidDomainName.NoExist",
      "The specified domain name does not exist. Refresh the page and try again.",
    );
  const notMine = () =>
    aliError(400, "DomainRecordNotBelongToUser", "The DNS record does not exist or does not belong to you.");

  function show(zone: string, r: FakeRecord) {
    return {
      DomainName: zone,
      RecordId: r.id,
      RR: r.name === zone ? "@" : r.name.slice(0, -zone.length - 1),
      Type: r.type,
      Value: r.content,
      TTL: r.ttl,
      Line: "default",
      Status: "ENABLE",
      Locked: false,
      Weight: 1,
      ...r.extra,
    };
  }

  function page<T>(all: readonly T[], p: Record<string, string>, max: number) {
    const number = Math.max(1, Number(p.PageNumber ?? "1") || 1);
    const size = Math.min(max, Math.max(1, Number(p.PageSize ?? "20") || 20));
    return { items: all.slice((number - 1) * size, number * size), number, size };
  }

  function findRecord(id: string): { zone: string; rec: FakeRecord } | undefined {
    for (const zone of zones.records.keys()) {
      const rec = zones.byId(zone, id);
      if (rec !== undefined) return { zone, rec };
    }
    return undefined;
  }

  /** Validates RR/Type/Value/TTL as AliDNS does for Add and Update; returns the fqdn or an error. */
  function validate(zone: string, p: Record<string, string>, selfId?: string): FakeReply | string {
    const rr = (p.RR ?? "").toLowerCase();
    if (!/^(@|[a-z0-9_*-]+(\.[a-z0-9_-]+)*)$/.test(rr))
      return aliError(400, "InvalidRR", "The host record is invalid.");
    const type = p.Type ?? "";
    if (!TYPES.has(type)) return aliError(400, "InvalidType", "The DNS record type is invalid.");
    const value = p.Value ?? "";
    if ((type === "A" && !isIPv4(value)) || (type === "AAAA" && !isIPv6(value)) || value === "")
      return aliError(400, "InvalidValue", "The record value is invalid.");
    const ttl = Number(p.TTL ?? "600");
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)
      return aliError(400, "InvalidTTL", "The TTL value is invalid.");
    const fqdn = rr === "@" ? zone : `${rr}.${zone}`;
    const line = p.Line ?? "default";
    const others = zones.find(zone, fqdn).filter((r) => r.id !== selfId);
    if (others.some((r) => (r.type === "CNAME") !== (type === "CNAME")))
      return aliError(400, "DomainRecordConflict", "The DNS record conflicts with other records.");
    if (others.some((r) => r.type === type && r.content === value && (r.extra.Line ?? "default") === line))
      return aliError(400, "DomainRecordDuplicate", "The DNS record already exists.");
    return fqdn;
  }

  function act(p: Record<string, string>): FakeReply {
    switch (p.Action) {
      case "DescribeDomains": {
        const all = [...zones.records.keys()].map((z, i) => ({
          DomainId: `dom-${i + 1}`,
          DomainName: z,
          PunyCode: z,
          RecordCount: zones.list(z).length,
          VersionCode: "mianfei",
        }));
        const { items, number, size } = page(all, p, Math.min(maxPage, 100));
        return json(200, {
          RequestId: requestId(),
          TotalCount: all.length,
          PageNumber: number,
          PageSize: size,
          Domains: { Domain: items },
        });
      }
      case "DescribeSubDomainRecords": {
        const sub = (p.SubDomain ?? "").toLowerCase();
        if (sub === "") return aliError(400, "MissingSubDomain", "SubDomain is mandatory for this action.");
        const zone = p.DomainName?.toLowerCase() ?? zones.zoneOf(sub);
        if (zone === undefined || !zones.records.has(zone)) return noDomain();
        if (sub !== zone && !sub.endsWith(`.${zone}`))
          return aliError(400, "InvalidSubDomain", "The subdomain is not in the domain.");
        const all = zones
          .find(zone, sub)
          .filter((r) => p.Type === undefined || r.type === p.Type)
          .map((r) => show(zone, r));
        const { items, number, size } = page(all, p, maxPage);
        return json(200, {
          RequestId: requestId(),
          TotalCount: all.length,
          PageNumber: number,
          PageSize: size,
          DomainRecords: { Record: items },
        });
      }
      case "AddDomainRecord": {
        const zone = (p.DomainName ?? "").toLowerCase();
        if (!zones.records.has(zone)) return noDomain();
        const fqdn = validate(zone, p);
        if (typeof fqdn !== "string") return fqdn;
        const rec = zones.add(zone, {
          name: fqdn,
          type: p.Type ?? "",
          content: p.Value ?? "",
          ttl: Number(p.TTL ?? "600"),
          extra: { Line: p.Line ?? "default" },
        });
        return json(200, { RequestId: requestId(), RecordId: rec.id });
      }
      case "UpdateDomainRecord": {
        const found = findRecord(p.RecordId ?? "");
        if (found === undefined) return notMine();
        const { zone, rec } = found;
        if (rec.extra.Locked === true)
          return aliError(400, "DomainRecordLocked", "The DNS record is locked.");
        const line = p.Line ?? "default";
        const ttl = Number(p.TTL ?? "600");
        const same =
          rec.type === p.Type &&
          rec.content === p.Value &&
          rec.ttl === ttl &&
          (rec.extra.Line ?? "default") === line &&
          show(zone, rec).RR === (p.RR ?? "").toLowerCase();
        if (same) return aliError(400, "DomainRecordDuplicate", "The DNS record already exists.");
        const fqdn = validate(zone, p, rec.id);
        if (typeof fqdn !== "string") return fqdn;
        Object.assign(rec, { name: fqdn, type: p.Type ?? "", content: p.Value ?? "", ttl });
        rec.extra.Line = line;
        return json(200, { RequestId: requestId(), RecordId: rec.id });
      }
      case "DeleteDomainRecord": {
        const found = findRecord(p.RecordId ?? "");
        if (found === undefined) return notMine();
        if (found.rec.extra.Locked === true)
          return aliError(400, "DomainRecordLocked", "The DNS record is locked.");
        zones.remove(found.zone, found.rec.id);
        return json(200, { RequestId: requestId(), RecordId: found.rec.id });
      }
      default:
        return aliError(
          404,
          "InvalidAction.NotFound",
          "Specified api is not found, please check your url and method.",
        );
    }
  }

  const vendor = await startFakeVendor((req) => {
    if (req.path !== "/") return aliError(404, "InvalidAction.NotFound", "Specified api is not found.");
    const checked = check(req);
    return "reply" in checked ? checked.reply : act(checked.params);
  });
  return Object.assign(vendor, { zones, forbidden });
}
