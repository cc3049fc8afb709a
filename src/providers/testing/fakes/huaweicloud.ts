// A fake Huawei Cloud DNS (public zones, record sets v2.1) behind a fake API gateway on 127.0.0.1, for
// the huaweicloud provider's tests. Serve it with the provider's `endpoint` set to `fake.url`.
//
// The gateway checks, as Huawei documents (https://support.huaweicloud.com/intl/en-us/devg-apisign/):
// Authorization "SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…" with host and x-sdk-date
// signed, X-Sdk-Date within 15 minutes of the gateway's clock, a known AK, and the signature recomputed
// over the received method, path (canonical URI with its trailing "/"), query, signed headers and body
// with the known SK; any failure is 401 {"error_code":"APIGW.0301","error_msg":"Incorrect IAM
// authentication information: …","request_id":…}.
//
// The DNS service (https://support.huaweicloud.com/intl/en-us/api-dns/, error codes in ErrorCode.html): GET /v2/zones (type, name,
// search_mode, limit ≤ 500, offset; {zones, links, metadata.total_count}), GET/POST
// /v2.1/zones/{zone_id}/recordsets (name, type, search_mode, limit, offset), PUT/DELETE
// /v2.1/zones/{zone_id}/recordsets/{recordset_id}; 202 with the record set on writes. Errors are
// {code, message}: DNS.0302 unknown zone (404), DNS.0313 unknown record set (404), DNS.0312 a set of
// that name, type and line exists (400), DNS.0304 name outside the zone, DNS.0307 type, DNS.0308 value
// (TXT must be quoted character strings), DNS.0303 TTL, DNS.0317 the default SOA/NS sets cannot be
// deleted, DNS.0002 a body that is not JSON with Content-Type application/json. A PUT without
// `description` clears it (the stricter reading of the API: a client must send back what it keeps).

import { createHash } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { unquoteTxt } from "../../kit/txt-presentation.js";
import { parseSdkDate, parseSdkHmacAuthorization, sdkHmacSign } from "../../kit/signing/huawei-sdk-hmac.js";
import { json, startFakeVendor } from "../fake-vendor.js";
import type { FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakeHuaweiOptions {
  readonly accessKey: string;
  readonly secretKey: string;
  /** Public zones of the account, canonical names. */
  readonly zones: readonly string[];
  /** The gateway's clock in ms (X-Sdk-Date must be within 15 minutes). Default Date.now. */
  readonly clock?: () => number;
  /** Largest page served whatever `limit` asks (forces paging in tests). Default 500 (the API's max). */
  readonly pageCap?: number;
}

export interface FakeRecordset {
  id: string;
  /** With the trailing dot, as Huawei stores it. */
  name: string;
  type: string;
  ttl: number;
  records: string[];
  description: string | null;
  line: string;
  weight: number | null;
  default: boolean;
  status: string;
}

export interface FakeHuawei extends FakeVendor {
  /** Zone name (canonical) → its id. */
  readonly zoneIds: ReadonlyMap<string, string>;
  /** Record sets by zone id. */
  readonly sets: Map<string, FakeRecordset[]>;
}

const TYPES = new Set(["A", "AAAA", "TXT", "CNAME", "MX", "NS", "SOA", "CAA", "SRV"]);
const MAX_SKEW_MS = 15 * 60_000;

class DnsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeHuawei(opts: FakeHuaweiOptions): Promise<FakeHuawei> {
  const clock = opts.clock ?? Date.now;
  const pageCap = opts.pageCap ?? 500;
  const zoneIds = new Map(
    opts.zones.map((z) => [z, createHash("sha256").update(z).digest("hex").slice(0, 32)]),
  );
  const sets = new Map<string, FakeRecordset[]>();
  let next = 1;
  let requestNo = 0;
  const newId = () => `ff8080${String(next++).padStart(26, "0")}`;
  for (const [name, id] of zoneIds) {
    sets.set(id, [
      {
        ...base(`${name}.`, "SOA", 300, [
          `ns1.huaweicloud-dns.com. hostmaster.${name}. 1 7200 900 1209600 300`,
        ]),
        id: newId(),
        default: true,
      },
      {
        ...base(`${name}.`, "NS", 172800, ["ns1.huaweicloud-dns.com.", "ns1.huaweicloud-dns.cn."]),
        id: newId(),
        default: true,
      },
    ]);
  }
  const requestId = () => `fake${String(++requestNo).padStart(28, "0")}`;

  const vendor = await startFakeVendor((req) => {
    const denied = gateway(req);
    if (denied !== undefined)
      return json(401, {
        error_msg: `Incorrect IAM authentication information: ${denied}`,
        error_code: "APIGW.0301",
        request_id: requestId(),
      });
    try {
      return route(req);
    } catch (e) {
      if (e instanceof DnsError) return json(e.status, { code: e.code, message: e.message });
      throw e;
    }
  });

  function gateway(req: SeenRequest): string | undefined {
    const auth = parseSdkHmacAuthorization(req.headers.authorization);
    if (auth === undefined) return "Authorization format incorrect";
    if (!auth.signedHeaders.includes("host") || !auth.signedHeaders.includes("x-sdk-date"))
      return "host and x-sdk-date must be signed";
    const at = parseSdkDate(req.headers["x-sdk-date"]);
    if (at === undefined) return "x-sdk-date format incorrect";
    if (Math.abs(clock() - at) > MAX_SKEW_MS) return "request expired, x-sdk-date is not within 15 minutes";
    if (auth.accessKey !== opts.accessKey) return "ak not exist";
    const headers: Record<string, string> = {};
    for (const h of auth.signedHeaders) headers[h] = req.headers[h] ?? "";
    const expected = sdkHmacSign({
      accessKey: auth.accessKey,
      secretKey: opts.secretKey,
      method: req.method,
      path: req.path,
      query: [...req.query.entries()],
      headers,
      body: req.body,
    }).signature;
    return expected === auth.signature ? undefined : "verify aksk signature fail";
  }

  function route(req: SeenRequest): FakeReply {
    if (req.method === "GET" && req.path === "/v2/zones") return listZones(req.query);
    const m = /^\/v2\.1\/zones\/([^/]+)\/recordsets(?:\/([^/]+))?$/.exec(req.path);
    if (m === null) throw new DnsError(404, "DNS.0002", "Invalid request.");
    const zoneId = decodeURIComponent(m[1] ?? "");
    const zone = [...zoneIds].find(([, id]) => id === zoneId)?.[0];
    const held = sets.get(zoneId);
    if (zone === undefined || held === undefined)
      throw new DnsError(404, "DNS.0302", "This zone does not exist.");
    if (m[2] === undefined) {
      if (req.method === "GET") return listSets(zone, zoneId, held, req.query);
      if (req.method === "POST") return json(202, show(zone, zoneId, create(zone, held, body(req))));
      throw new DnsError(405, "DNS.0002", "Invalid request.");
    }
    const rs = held.find((r) => r.id === decodeURIComponent(m[2] ?? ""));
    if (rs === undefined) throw new DnsError(404, "DNS.0313", "This record set does not exist.");
    if (req.method === "PUT") return json(202, show(zone, zoneId, update(zone, held, rs, body(req))));
    if (req.method === "DELETE") {
      if (rs.default)
        throw new DnsError(400, "DNS.0317", "This record set is a default one and cannot be deleted.");
      held.splice(held.indexOf(rs), 1);
      return json(202, { ...show(zone, zoneId, rs), status: "PENDING_DELETE" });
    }
    if (req.method === "GET") return json(200, show(zone, zoneId, rs));
    throw new DnsError(405, "DNS.0002", "Invalid request.");
  }

  function page<T>(items: readonly T[], q: URLSearchParams): T[] {
    const limit = q.has("limit") ? Number(q.get("limit")) : 500;
    const offset = q.has("offset") ? Number(q.get("offset")) : 0;
    if (!Number.isInteger(limit) || limit < 0 || limit > 500)
      throw new DnsError(400, "DNS.0006", "The limit parameter is invalid.");
    if (!Number.isInteger(offset) || offset < 0)
      throw new DnsError(400, "DNS.0017", "The offset parameter is invalid.");
    return items.slice(offset, offset + Math.min(limit, pageCap));
  }

  function nameMatches(stored: string, wanted: string | null, mode: string | null): boolean {
    if (wanted === null || wanted === "") return true;
    const a = stored.toLowerCase().replace(/\.$/, "");
    const b = wanted.toLowerCase().replace(/\.$/, "");
    return mode === "equal" ? a === b : a.includes(b);
  }

  function listZones(q: URLSearchParams): FakeReply {
    const type = q.get("type");
    if (type !== null && type !== "public") return json(200, { zones: [], metadata: { total_count: 0 } });
    const all = [...zoneIds].filter(([name]) => nameMatches(name, q.get("name"), q.get("search_mode")));
    const shown = page(all, q);
    return json(200, {
      links: { self: "https://dns.myhuaweicloud.com/v2/zones" },
      zones: shown.map(([name, id]) => ({
        id,
        name: `${name}.`,
        description: "",
        email: `hostmaster@${name}`,
        ttl: 300,
        serial: 1,
        masters: [],
        status: "ACTIVE",
        pool_id: "fake-pool",
        project_id: "fake-project",
        zone_type: "public",
        record_num: sets.get(id)?.length ?? 0,
      })),
      metadata: { total_count: all.length },
    });
  }

  function listSets(zone: string, zoneId: string, held: FakeRecordset[], q: URLSearchParams): FakeReply {
    const type = q.get("type");
    const all = held
      .filter((r) => nameMatches(r.name, q.get("name"), q.get("search_mode")))
      .filter((r) => type === null || type === "" || r.type === type);
    return json(200, {
      links: { self: `https://dns.myhuaweicloud.com/v2.1/zones/${zoneId}/recordsets` },
      recordsets: page(all, q).map((r) => show(zone, zoneId, r)),
      metadata: { total_count: all.length },
    });
  }

  function body(req: SeenRequest): Record<string, unknown> {
    if (req.headers["content-type"] !== "application/json")
      throw new DnsError(400, "DNS.0002", "Invalid request.");
    try {
      const b = JSON.parse(req.body) as unknown;
      if (typeof b === "object" && b !== null && !Array.isArray(b)) return b as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new DnsError(400, "DNS.0002", "Invalid request.");
  }

  function validated(zone: string, b: Record<string, unknown>, current?: FakeRecordset) {
    const name = b.name ?? current?.name;
    const type = b.type ?? current?.type;
    const ttl = b.ttl ?? 300;
    const records = b.records ?? current?.records;
    if (
      typeof name !== "string" ||
      !(name.toLowerCase() === `${zone}.` || name.toLowerCase().endsWith(`.${zone}.`))
    )
      throw new DnsError(400, "DNS.0304", "Invalid record set name.");
    if (typeof type !== "string" || !TYPES.has(type))
      throw new DnsError(400, "DNS.0307", "Invalid record set type.");
    if (current !== undefined && (name.toLowerCase() !== current.name || type !== current.type))
      throw new DnsError(400, "DNS.0304", "Invalid record set name.");
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > 2_147_483_647)
      throw new DnsError(400, "DNS.0303", "Invalid record set TTL.");
    const ok =
      Array.isArray(records) &&
      records.length > 0 &&
      records.every((v) => typeof v === "string" && validValue(type, v));
    if (!ok) throw new DnsError(400, "DNS.0308", "Invalid record set value.");
    const description = b.description ?? null;
    if (description !== null && (typeof description !== "string" || description.length > 255))
      throw new DnsError(400, "DNS.0305", "Invalid record set description.");
    return { name: name.toLowerCase(), type, ttl, records: records as string[], description };
  }

  function create(zone: string, held: FakeRecordset[], b: Record<string, unknown>): FakeRecordset {
    const v = validated(zone, b);
    const line = typeof b.line === "string" ? b.line : "default_view";
    if (held.some((r) => r.name === v.name && r.type === v.type && r.line === line))
      throw new DnsError(400, "DNS.0312", "This record set already exists.");
    const rs: FakeRecordset = {
      ...base(v.name, v.type, v.ttl, v.records),
      id: newId(),
      description: v.description,
      line,
    };
    held.push(rs);
    return { ...rs, status: "PENDING_CREATE" };
  }

  function update(
    zone: string,
    _held: FakeRecordset[],
    rs: FakeRecordset,
    b: Record<string, unknown>,
  ): FakeRecordset {
    const v = validated(zone, b, rs);
    Object.assign(rs, { ttl: v.ttl, records: v.records, description: v.description });
    return { ...rs, status: "PENDING_UPDATE" };
  }

  function show(zone: string, zoneId: string, r: FakeRecordset) {
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      zone_id: zoneId,
      zone_name: `${zone}.`,
      type: r.type,
      ttl: r.ttl,
      records: r.records,
      created_at: "2024-01-01T00:00:00.000",
      updated_at: "2024-01-01T00:00:00.000",
      status: r.status,
      default: r.default,
      project_id: "fake-project",
      line: r.line,
      weight: r.weight,
      health_check_id: null,
      alias_target: null,
      links: { self: `https://dns.myhuaweicloud.com/v2.1/zones/${zoneId}/recordsets/${r.id}` },
    };
  }

  return { ...vendor, zoneIds, sets, close: () => vendor.close() };
}

function base(name: string, type: string, ttl: number, records: string[]): Omit<FakeRecordset, "id"> {
  return {
    name,
    type,
    ttl,
    records,
    description: null,
    line: "default_view",
    weight: null,
    default: false,
    status: "ACTIVE",
  };
}

function validValue(type: string, v: string): boolean {
  if (type === "A") return isIPv4(v);
  if (type === "AAAA") return isIPv6(v);
  // TXT: one or more quoted character strings, each at most 255 octets.
  if (type === "TXT") return /^".*"$/s.test(v.trim()) && unquoteTxt(v) !== undefined && v.length <= 4096;
  return v.length > 0;
}
