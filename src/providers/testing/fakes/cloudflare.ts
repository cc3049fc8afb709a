// A fake Cloudflare API v4 (https://developers.cloudflare.com/api/resources/dns/subresources/records/)
// on 127.0.0.1, for the cloudflare provider's tests and the server-mirroring end-to-end test. Serve
// it with the provider's `endpoint` set to `fake.url` (an optional /client/v4 prefix is accepted).
//
// What it checks, as Cloudflare does: `Authorization: Bearer <token>` (missing → 400 9106, not a
// bearer token → 400 6003/6111, unknown token → 403 9109); `Content-Type: application/json` on
// bodies (400 6003/6105); record validation (A/AAAA content, TTL 1 or 60–86400, TXT content as
// quoted character strings, no proxied TXT, no identical duplicate → 81058); unknown zone or
// record ids (7003 / 81044). It answers in the v4 envelope {success, errors, messages, result,
// result_info} and paginates lists by page/per_page. Records keep vendor-only fields (proxied,
// comment, tags, …) in `extra`; PATCH merges, PUT overwrites like the real API.
//
// Stored as Cloudflare stores them: `name` is the full name, `content` the vendor's form (TXT
// content quoted), `ttl` 1 for "automatic" (and always 1 for proxied records).

import { createHash } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { FakeZones, json, startFakeVendor } from "../fake-vendor.js";
import type { FakeRecord, FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakeCloudflare extends FakeVendor {
  readonly zones: FakeZones;
  /** The 32-hex zone id Cloudflare would give `name`. */
  zoneId(name: string): string;
}

export interface FakeCloudflareOptions {
  readonly token: string;
  readonly zones: readonly string[];
  /** Largest page the fake serves, whatever per_page asks (forces pagination in tests). Default 100. */
  readonly maxPerPage?: number;
}

interface CfError {
  readonly code: number;
  readonly message: string;
  readonly error_chain?: readonly { code: number; message: string }[];
}

const fail = (status: number, ...errors: CfError[]): FakeReply =>
  json(status, { success: false, errors, messages: [], result: null });

const ok = (result: unknown, resultInfo?: unknown): FakeReply =>
  json(200, {
    success: true,
    errors: [],
    messages: [],
    result,
    ...(resultInfo === undefined ? {} : { result_info: resultInfo }),
  });

/** One or more RFC 1035 quoted character strings (escapes allowed), separated by spaces. */
const QUOTED_STRINGS = /^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/s;

export async function startFakeCloudflare(opts: FakeCloudflareOptions): Promise<FakeCloudflare> {
  const zones = new FakeZones(opts.zones);
  const idOf = new Map<string, string>();
  const nameOf = new Map<string, string>();
  for (const z of opts.zones) {
    const id = createHash("md5").update(`zone:${z}`).digest("hex");
    idOf.set(z, id);
    nameOf.set(id, z);
  }
  const maxPerPage = opts.maxPerPage ?? 100;
  const at = () => new Date().toISOString();

  function auth(req: SeenRequest): FakeReply | undefined {
    const h = req.headers.authorization;
    if (h === undefined)
      return fail(400, { code: 9106, message: "Missing X-Auth-Key, X-Auth-Email or Authorization headers" });
    const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(h);
    if (m === null)
      return fail(400, {
        code: 6003,
        message: "Invalid request headers",
        error_chain: [{ code: 6111, message: "Invalid format for Authorization header" }],
      });
    if (m[1] !== opts.token) return fail(403, { code: 9109, message: "Invalid access token" });
    return undefined;
  }

  function page<T>(items: readonly T[], q: URLSearchParams): FakeReply {
    const perPage = Math.min(Math.max(Number(q.get("per_page") ?? 100) || 100, 5), maxPerPage);
    const pageNo = Math.max(Number(q.get("page") ?? 1) || 1, 1);
    const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
    return ok(slice, {
      page: pageNo,
      per_page: perPage,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.max(1, Math.ceil(items.length / perPage)),
    });
  }

  function show(zone: string, r: FakeRecord): Record<string, unknown> {
    return {
      proxiable: r.type === "A" || r.type === "AAAA",
      proxied: false,
      settings: {},
      meta: {},
      comment: null,
      tags: [],
      ...r.extra,
      id: r.id,
      zone_id: idOf.get(zone),
      zone_name: zone,
      name: r.name,
      type: r.type,
      content: r.content,
      ttl: r.ttl,
    };
  }

  /** Validates a merged record; the error Cloudflare gives, or undefined. */
  function invalid(zone: string, r: Omit<FakeRecord, "id">, selfId?: string): FakeReply | undefined {
    const proxied = r.extra.proxied === true;
    if (!["A", "AAAA", "TXT", "CNAME"].includes(r.type))
      return fail(400, { code: 1004, message: "DNS Validation Error" });
    if (r.type === "A" && !isIPv4(r.content))
      return fail(400, { code: 9005, message: "Content for A record must be a valid IPv4 address." });
    if (r.type === "AAAA" && !isIPv6(r.content))
      return fail(400, { code: 9006, message: "Content for AAAA record must be a valid IPv6 address." });
    if (r.type === "TXT" && !QUOTED_STRINGS.test(r.content))
      return fail(400, {
        code: 1004,
        message: "DNS Validation Error",
        error_chain: [{ code: 9008, message: "TXT content must consist of quoted character strings." }],
      });
    if (proxied && r.type === "TXT")
      return fail(400, { code: 9004, message: "This record type cannot be proxied." });
    if (!Number.isInteger(r.ttl) || (r.ttl !== 1 && (r.ttl < 60 || r.ttl > 86_400)))
      return fail(400, {
        code: 9021,
        message: "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.",
      });
    const twin = zones.find(zone, r.name, r.type).find((o) => o.id !== selfId && o.content === r.content);
    if (twin !== undefined) return fail(400, { code: 81058, message: "An identical record already exists." });
    return undefined;
  }

  /** Cloudflare takes full names and appends the zone to anything else (so "www" means www.<zone>). */
  function fullName(zone: string, name: string): string {
    const n = name.toLowerCase().replace(/\.$/, "");
    if (n === "@" || n === zone) return zone;
    return n.endsWith(`.${zone}`) ? n : `${n}.${zone}`;
  }

  function bodyOf(req: SeenRequest): { body: Record<string, unknown> } | { error: FakeReply } {
    if (!/^application\/json\b/.test(req.headers["content-type"] ?? ""))
      return {
        error: fail(400, {
          code: 6003,
          message: "Invalid request headers",
          error_chain: [
            {
              code: 6105,
              message: "Invalid Content-Type header, valid values are application/json,multipart/form-data",
            },
          ],
        }),
      };
    try {
      const b = JSON.parse(req.body) as unknown;
      if (typeof b === "object" && b !== null && !Array.isArray(b))
        return { body: b as Record<string, unknown> };
    } catch {
      // fall through
    }
    return { error: fail(400, { code: 6007, message: "Malformed JSON in request body" }) };
  }

  const noRoute = (path: string) =>
    fail(
      400,
      { code: 7003, message: `Could not route to ${path}, perhaps your object identifier is invalid?` },
      { code: 7000, message: "No route for that URI" },
    );

  function write(zone: string, req: SeenRequest, existing: FakeRecord | undefined): FakeReply {
    const parsed = bodyOf(req);
    if ("error" in parsed) return parsed.error;
    const b = parsed.body;
    const str = (k: string) => (typeof b[k] === "string" ? b[k] : undefined);
    const { type: _t, name: _n, content: _c, ttl: _ttl, id: _id, ...rest } = b;
    const merged: Omit<FakeRecord, "id"> =
      req.method === "PATCH" && existing !== undefined
        ? {
            name: str("name") === undefined ? existing.name : fullName(zone, str("name") ?? ""),
            type: str("type") ?? existing.type,
            content: str("content") ?? existing.content,
            ttl: typeof b.ttl === "number" ? b.ttl : existing.ttl,
            extra: { ...existing.extra, ...rest, modified_on: at() },
          }
        : {
            // POST creates; PUT overwrites every field (omitted ones go back to their defaults).
            name: fullName(zone, str("name") ?? ""),
            type: str("type") ?? "",
            content: str("content") ?? "",
            ttl: typeof b.ttl === "number" ? b.ttl : 1,
            extra: {
              proxied: false,
              comment: null,
              tags: [],
              ...rest,
              created_on: existing?.extra.created_on ?? at(),
              modified_on: at(),
            },
          };
    if (str("name") === undefined && req.method !== "PATCH")
      return fail(400, { code: 9000, message: "DNS name is invalid." });
    const bad = invalid(zone, merged, existing?.id);
    if (bad !== undefined) return bad;
    if (merged.extra.proxied === true) merged.ttl = 1;
    if (existing === undefined) return ok(show(zone, zones.add(zone, merged)));
    Object.assign(existing, merged);
    return ok(show(zone, existing));
  }

  function handle(req: SeenRequest): FakeReply {
    const denied = auth(req);
    if (denied !== undefined) return denied;
    const path = req.path.replace(/^\/client\/v4/, "");
    if (path === "/zones" && req.method === "GET") {
      const name = req.query.get("name");
      const list = opts.zones
        .filter((z) => name === null || z === name.toLowerCase())
        .map((z) => ({ id: idOf.get(z), name: z, status: "active", paused: false, type: "full" }));
      return page(list, req.query);
    }
    const m = /^\/zones\/([^/]+)(\/dns_records(?:\/([^/]+))?)?$/.exec(path);
    const zone = m?.[1] === undefined ? undefined : nameOf.get(m[1]);
    if (m === null || zone === undefined) return noRoute(path);
    if (m[2] === undefined) {
      if (req.method !== "GET") return noRoute(path);
      return ok({ id: m[1], name: zone, status: "active", paused: false, type: "full" });
    }
    const recordId = m[3];
    if (recordId === undefined) {
      if (req.method === "POST") return write(zone, req, undefined);
      if (req.method !== "GET") return noRoute(path);
      const name = req.query.get("name") ?? req.query.get("name.exact");
      const type = req.query.get("type");
      const list = zones
        .list(zone)
        .filter((r) => (name === null || r.name === name.toLowerCase()) && (type === null || r.type === type))
        .map((r) => show(zone, r));
      return page(list, req.query);
    }
    const rec = zones.byId(zone, recordId);
    if (rec === undefined) return fail(404, { code: 81044, message: "Record does not exist." });
    if (req.method === "GET") return ok(show(zone, rec));
    if (req.method === "PATCH" || req.method === "PUT") return write(zone, req, rec);
    if (req.method === "DELETE") {
      zones.remove(zone, recordId);
      return ok({ id: recordId });
    }
    return noRoute(path);
  }

  const vendor = await startFakeVendor(handle);
  return {
    ...vendor,
    zones,
    zoneId(name: string): string {
      const id = idOf.get(name);
      if (id === undefined) throw new Error(`fake Cloudflare has no zone ${name}`);
      return id;
    },
  };
}
