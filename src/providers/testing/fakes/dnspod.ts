// A fake DNSPod (Tencent Cloud API 3.0, version 2021-03-23) on 127.0.0.1, for the dnspod provider's
// tests. Serve it with the provider's `endpoint` set to `fake.url`.
//
// What it checks, as Tencent documents (Signature v3: https://tencentcloud.com/document/product/1026/31038;
// errors: https://cloud.tencent.com/document/api/1427/56192; the action pages under /document/product/1157): POST to "/" with Content-Type application/json; X-TC-Version 2021-03-23; a known
// X-TC-Action; the TC3-HMAC-SHA256 Authorization recomputed over the received headers and body with
// the known SecretKey (AuthFailure.SignatureFailure when wrong, AuthFailure.SecretIdNotFound for an
// unknown SecretId, AuthFailure.SignatureExpire when X-TC-Timestamp is more than 5 minutes off, the
// credential date not the timestamp's UTC date or the service not "dnspod" is a bad signature).
// Errors are HTTP 200 {Response: {Error: {Code, Message}, RequestId}}, like the vendor's.
//
// Actions: DescribeDomainList, DescribeRecordList (no match is ResourceNotFound.NoDataOfRecord),
// CreateRecord, ModifyRecord, DeleteRecord, with the vendor's validation (record type, line, value,
// TTL against the plan minimum → LimitExceeded.RecordTtlLimit, identical duplicate →
// InvalidParameter.DomainRecordExist, unknown domain → InvalidParameterValue.DomainNotExists).
// ModifyRecord follows the documented defaults for what it is not given: Status ENABLE, no Weight,
// TTL 600; Remark is kept unless sent. Lists page by Offset/Limit (at most `pageCap` per page).
// Records keep Status, Weight and Remark in `extra`; `name` is the fqdn, `content` the plain value.

import { isIPv4, isIPv6 } from "node:net";
import { parseTc3Authorization, tc3Date, tc3Sign } from "../../kit/signing/tc3.js";
import { FakeZones, json, startFakeVendor } from "../fake-vendor.js";
import type { FakeRecord, FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakeDnspodOptions {
  readonly secretId: string;
  readonly secretKey: string;
  readonly domains: readonly string[];
  /** The vendor's clock in ms (X-TC-Timestamp must be within 5 minutes of it). Default Date.now. */
  readonly clock?: () => number;
  /** The plan's minimum TTL (free plan 600; paid plans go lower). Default 600. */
  readonly minTtl?: number;
  /** Largest page served whatever Limit asks (forces paging in tests). Default 3000 (the API's max). */
  readonly pageCap?: number;
}

export interface FakeDnspod extends FakeVendor {
  readonly zones: FakeZones;
}

/** Lines of a free-plan domain, name → LineId. */
const LINES: Readonly<Record<string, string>> = {
  默认: "0",
  电信: "10=0",
  联通: "10=1",
  移动: "10=3",
  境外: "3=0",
};
const TYPES = new Set(["A", "AAAA", "TXT", "CNAME", "MX", "NS"]);
const ACTIONS = new Set([
  "DescribeDomainList",
  "DescribeRecordList",
  "CreateRecord",
  "ModifyRecord",
  "DeleteRecord",
]);

type Params = Record<string, unknown>;
class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeDnspod(opts: FakeDnspodOptions): Promise<FakeDnspod> {
  const zones = new FakeZones(opts.domains);
  const clock = opts.clock ?? Date.now;
  const minTtl = opts.minTtl ?? 600;
  const pageCap = opts.pageCap ?? 3000;
  let requestNo = 0;

  const reply = (response: Params): FakeReply =>
    json(200, { Response: { ...response, RequestId: `fake-${String(++requestNo).padStart(8, "0")}` } });

  const vendor = await startFakeVendor((req) => {
    try {
      const params = authenticate(req);
      return reply(act(req.headers["x-tc-action"] ?? "", params));
    } catch (e) {
      if (e instanceof ApiError) return reply({ Error: { Code: e.code, Message: e.message } });
      throw e;
    }
  });

  function authenticate(req: SeenRequest): Params {
    if (req.method !== "POST" || req.path !== "/")
      throw new ApiError("InvalidParameter", "Only POST / with a JSON body is supported in this fake.");
    if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
      throw new ApiError("InvalidParameter", "The Content-Type of request header is not supported.");
    if (req.headers["x-tc-version"] !== "2021-03-23")
      throw new ApiError("NoSuchVersion", "The requested version does not exist.");
    if (!ACTIONS.has(req.headers["x-tc-action"] ?? ""))
      throw new ApiError("InvalidAction", "The requested action does not exist.");
    const auth = parseTc3Authorization(req.headers.authorization);
    if (auth === undefined)
      throw new ApiError(
        "AuthFailure.InvalidAuthorization",
        "Authorization in the request header is invalid.",
      );
    const ts = Number(req.headers["x-tc-timestamp"]);
    if (!Number.isInteger(ts) || Math.abs(Math.floor(clock() / 1000) - ts) > 300)
      throw new ApiError(
        "AuthFailure.SignatureExpire",
        "Signature expired. Timestamp and server time cannot differ by more than five minutes.",
      );
    if (auth.secretId !== opts.secretId)
      throw new ApiError(
        "AuthFailure.SecretIdNotFound",
        "The SecretId is not found, please ensure that your SecretId is correct.",
      );
    const headers: Record<string, string> = {};
    for (const h of auth.signedHeaders) headers[h] = req.headers[h] ?? "";
    const expected = tc3Sign({
      secretId: auth.secretId,
      secretKey: opts.secretKey,
      service: "dnspod",
      timestamp: ts,
      method: req.method,
      headers,
      payload: req.body,
    }).signature;
    const complete = auth.signedHeaders.includes("content-type") && auth.signedHeaders.includes("host");
    if (!complete || auth.date !== tc3Date(ts) || auth.service !== "dnspod" || auth.signature !== expected)
      throw new ApiError(
        "AuthFailure.SignatureFailure",
        "The provided credentials could not be validated. Please check your signature is correct.",
      );
    try {
      const body = JSON.parse(req.body) as unknown;
      if (typeof body === "object" && body !== null && !Array.isArray(body)) return body as Params;
    } catch {
      // fall through
    }
    throw new ApiError("InvalidParameter", "The request body is not a JSON object.");
  }

  function act(action: string, p: Params): Params {
    if (action === "DescribeDomainList") return describeDomains(p);
    const domain = str(p, "Domain", true);
    if (zones.records.get(domain) === undefined)
      throw new ApiError("InvalidParameterValue.DomainNotExists", "当前域名有误，请返回重新操作。");
    if (action === "DescribeRecordList") return describeRecords(domain, p);
    if (action === "CreateRecord") return { RecordId: numericId(write(domain, p, undefined)) };
    const rec = zones.byId(domain, `rec${int(p, "RecordId", true)}`);
    if (rec === undefined) throw new ApiError("InvalidParameter.RecordIdInvalid", "记录编号错误。");
    if (action === "ModifyRecord") return { RecordId: numericId(write(domain, p, rec)) };
    zones.remove(domain, rec.id);
    return {};
  }

  function describeDomains(p: Params): Params {
    const all = [...zones.records.keys()];
    if (all.length === 0) throw new ApiError("ResourceNotFound.NoDataOfDomain", "域名列表为空。");
    const page = paged(all, p, 3000);
    return {
      DomainCountInfo: {
        DomainTotal: all.length,
        AllTotal: all.length,
        MineTotal: all.length,
        ShareTotal: 0,
      },
      DomainList: page.map((name) => ({
        DomainId: 1000 + all.indexOf(name),
        Name: name,
        Punycode: name,
        Status: "ENABLE",
        TTL: 600,
        Grade: "DP_Free",
        GradeTitle: "免费版",
        RecordCount: zones.list(name).length,
        Owner: "fake@example.com",
      })),
    };
  }

  function describeRecords(domain: string, p: Params): Params {
    const sub = str(p, "Subdomain", false)?.toLowerCase();
    const type = str(p, "RecordType", false);
    const line = str(p, "RecordLine", false);
    const matching = zones
      .list(domain)
      .filter((r) => sub === undefined || subOf(domain, r.name) === sub)
      .filter((r) => type === undefined || r.type === type)
      .filter((r) => line === undefined || r.extra.Line === line);
    if (matching.length === 0) throw new ApiError("ResourceNotFound.NoDataOfRecord", "记录列表为空。");
    const page = paged(matching, p, 100);
    return {
      RecordCountInfo: {
        SubdomainCount: matching.length,
        ListCount: page.length,
        TotalCount: matching.length,
      },
      RecordList: page.map((r) => ({
        RecordId: numericId(r),
        Value: r.content,
        Status: r.extra.Status,
        UpdatedOn: "2024-01-01 00:00:00",
        Name: subOf(domain, r.name),
        Line: r.extra.Line,
        LineId: LINES[r.extra.Line as string] ?? "0",
        Type: r.type,
        Weight: r.extra.Weight ?? null,
        MonitorStatus: "",
        Remark: r.extra.Remark ?? "",
        TTL: r.ttl,
        MX: 0,
        DefaultNS: false,
      })),
    };
  }

  function paged<T>(items: readonly T[], p: Params, defaultLimit: number): T[] {
    const offset = int(p, "Offset", false) ?? 0;
    const limit = int(p, "Limit", false) ?? defaultLimit;
    if (limit < 1 || limit > 3000)
      throw new ApiError("InvalidParameterValue.LimitInvalid", "分页长度数量错误。");
    if (offset < 0) throw new ApiError("InvalidParameter.OffsetInvalid", "分页起始数量错误。");
    return items.slice(offset, offset + Math.min(limit, pageCap));
  }

  function write(domain: string, p: Params, existing: FakeRecord | undefined): FakeRecord {
    const type = str(p, "RecordType", true);
    const line = str(p, "RecordLine", true);
    const value = str(p, "Value", true);
    const sub = (str(p, "SubDomain", false) ?? "@").toLowerCase();
    const ttl = int(p, "TTL", false) ?? 600;
    if (!TYPES.has(type)) throw new ApiError("InvalidParameter.RecordTypeInvalid", "记录类型不正确。");
    if (LINES[line] === undefined)
      throw new ApiError("InvalidParameter.RecordLineInvalid", "记录线路不正确。");
    if (!/^(@|[a-z0-9_*-]+(\.[a-z0-9_-]+)*)$/.test(sub))
      throw new ApiError("InvalidParameter.SubdomainInvalid", "子域名不正确。");
    const valid =
      type === "A"
        ? isIPv4(value)
        : type === "AAAA"
          ? isIPv6(value)
          : value.length > 0 && value.length <= 512;
    if (!valid) throw new ApiError("InvalidParameter.RecordValueInvalid", "记录的值不正确。");
    if (ttl < minTtl || ttl > 604_800)
      throw new ApiError("LimitExceeded.RecordTtlLimit", "记录的TTL值超出了限制。");
    const name = sub === "@" ? domain : `${sub}.${domain}`;
    const duplicate = zones
      .find(domain, name, type)
      .some((r) => r !== existing && r.extra.Line === line && r.content === value);
    if (duplicate) throw new ApiError("InvalidParameter.DomainRecordExist", "记录已经存在，无需再次添加。");
    const weight = int(p, "Weight", false);
    const status = str(p, "Status", false) ?? "ENABLE";
    if (status !== "ENABLE" && status !== "DISABLE")
      throw new ApiError("InvalidParameter", "Status 取值错误。");
    const remark = str(p, "Remark", false) ?? (existing?.extra.Remark as string | undefined) ?? "";
    const extra = { ...existing?.extra, Line: line, Status: status, Weight: weight ?? null, Remark: remark };
    if (existing === undefined) return zones.add(domain, { name, type, content: value, ttl, extra });
    Object.assign(existing, { name, type, content: value, ttl, extra });
    return existing;
  }

  return { ...vendor, zones, close: () => vendor.close() };
}

function subOf(domain: string, fqdn: string): string {
  return fqdn === domain ? "@" : fqdn.slice(0, fqdn.length - domain.length - 1);
}

function numericId(r: FakeRecord): number {
  return Number(r.id.slice(3));
}

function str(p: Params, key: string, required: true): string;
function str(p: Params, key: string, required: false): string | undefined;
function str(p: Params, key: string, required: boolean): string | undefined {
  const v = p[key];
  if (v === undefined) {
    if (required)
      throw new ApiError("MissingParameter", `The request is missing a required parameter \`${key}\`.`);
    return undefined;
  }
  if (typeof v !== "string")
    throw new ApiError("InvalidParameter", `The value type of parameter \`${key}\` is not valid.`);
  return v;
}

function int(p: Params, key: string, required: true): number;
function int(p: Params, key: string, required: false): number | undefined;
function int(p: Params, key: string, required: boolean): number | undefined {
  const v = p[key];
  if (v === undefined || v === null) {
    if (required)
      throw new ApiError("MissingParameter", `The request is missing a required parameter \`${key}\`.`);
    return undefined;
  }
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new ApiError("InvalidParameter", `The value type of parameter \`${key}\` is not valid.`);
  return v;
}
