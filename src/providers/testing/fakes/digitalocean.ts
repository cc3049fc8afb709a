// A fake DigitalOcean API v2 (https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records)
// on 127.0.0.1 for the digitalocean provider's tests (endpoint = fake.url; an optional /v2 prefix is
// accepted).
//
// What it checks, as DigitalOcean documents: `Authorization: Bearer <token>` (else 401
// {id:"Unauthorized"}); a read-only token may read but not write (403 {id:"Forbidden"}, as a token
// without the domain write scopes gets); JSON bodies; record names relative to the domain ("@" at the
// apex — a full name is taken as relative, as DigitalOcean does); A/AAAA data; TTL ≥ 30 (422). The
// list filter `name` takes the FULL name; lists paginate with page/per_page (default 20, max 200)
// and links.pages.next; errors are {id, message, request_id}. Records have integer ids and keep
// priority/port/weight/flags/tag in `extra`. FakeZones hold full names; replies give relative ones.

import { isIPv4, isIPv6 } from "node:net";
import { FakeZones, json, startFakeVendor } from "../fake-vendor.js";
import type { FakeRecord, FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakeDigitalOcean extends FakeVendor {
  readonly zones: FakeZones;
}

export interface FakeDigitalOceanOptions {
  readonly token: string;
  /** A token that may read but not write. */
  readonly readOnlyToken?: string;
  readonly domains: readonly string[];
  /** Largest page served whatever per_page asks (forces pagination in tests). Default 200. */
  readonly maxPerPage?: number;
}

let requestIds = 0;
const fail = (status: number, id: string, message: string, headers: Record<string, string> = {}): FakeReply =>
  json(status, { id, message, request_id: `req-${++requestIds}` }, headers);
const notFound = () => fail(404, "not_found", "The resource you were accessing could not be found.");

export async function startFakeDigitalOcean(opts: FakeDigitalOceanOptions): Promise<FakeDigitalOcean> {
  const zones = new FakeZones(opts.domains);
  const maxPerPage = opts.maxPerPage ?? 200;

  function show(domain: string, r: FakeRecord): Record<string, unknown> {
    return {
      priority: null,
      port: null,
      weight: null,
      flags: null,
      tag: null,
      ...r.extra,
      id: Number(r.id.replace(/^rec/, "")),
      type: r.type,
      name: r.name === domain ? "@" : r.name.slice(0, -(domain.length + 1)),
      data: r.content,
      ttl: r.ttl,
    };
  }

  function list(domain: string, req: SeenRequest): FakeReply {
    const name = req.query.get("name");
    const type = req.query.get("type");
    const all = zones
      .list(domain)
      .filter((r) => (name === null || r.name === name) && (type === null || r.type === type));
    const perPage = Math.min(Math.max(Number(req.query.get("per_page") ?? 20) || 20, 1), maxPerPage);
    const page = Math.max(Number(req.query.get("page") ?? 1) || 1, 1);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (p: number) => {
      const q = new URLSearchParams(req.query);
      q.set("page", String(p));
      q.set("per_page", String(perPage));
      // Like the real API: links name DigitalOcean's host, whatever host was asked.
      return `https://api.digitalocean.com/v2/domains/${domain}/records?${q.toString()}`;
    };
    return json(200, {
      domain_records: all.slice((page - 1) * perPage, page * perPage).map((r) => show(domain, r)),
      links: {
        pages: {
          ...(page > 1 ? { first: link(1), prev: link(page - 1) } : {}),
          ...(page < last ? { next: link(page + 1), last: link(last) } : {}),
        },
      },
      meta: { total: all.length },
    });
  }

  function write(domain: string, req: SeenRequest, existing: FakeRecord | undefined): FakeReply {
    if (!/^application\/json\b/.test(req.headers["content-type"] ?? ""))
      return fail(415, "unsupported_media_type", "Content-Type must be application/json");
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(req.body) as Record<string, unknown>;
      if (typeof b !== "object" || b === null || Array.isArray(b)) throw new Error("not an object");
    } catch {
      return fail(400, "bad_request", "unexpected end of JSON input");
    }
    const str = (k: string) => (typeof b[k] === "string" ? b[k] : undefined);
    const relative = str("name");
    const type = str("type") ?? existing?.type;
    const data = str("data") ?? existing?.content;
    const ttl = typeof b.ttl === "number" ? b.ttl : (existing?.ttl ?? 1800);
    if (existing === undefined && (relative === undefined || type === undefined || data === undefined))
      return fail(422, "unprocessable_entity", "Type, Name and Data are required");
    const name =
      relative === undefined
        ? (existing?.name ?? domain)
        : relative === "@"
          ? domain
          : `${relative.toLowerCase().replace(/\.$/, "")}.${domain}`;
    if (type === "A" && !isIPv4(data ?? ""))
      return fail(422, "unprocessable_entity", "Data needs to be a valid IPv4 address");
    if (type === "AAAA" && !isIPv6(data ?? ""))
      return fail(422, "unprocessable_entity", "Data needs to be a valid IPv6 address");
    if (!Number.isInteger(ttl) || ttl < 30)
      return fail(422, "unprocessable_entity", "Ttl must be greater than or equal to 30");
    const { type: _t, name: _n, data: _d, ttl: _ttl, id: _id, ...rest } = b;
    const fields = { name, type: type ?? "", content: data ?? "", ttl };
    if (existing === undefined) {
      const rec = zones.add(domain, { ...fields, extra: rest });
      return json(201, { domain_record: show(domain, rec) });
    }
    Object.assign(existing, fields, { extra: req.method === "PUT" ? rest : { ...existing.extra, ...rest } });
    return json(200, { domain_record: show(domain, existing) });
  }

  function handle(req: SeenRequest): FakeReply {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
    const token = m?.[1];
    if (token !== opts.token && (token === undefined || token !== opts.readOnlyToken))
      return fail(401, "Unauthorized", "Unable to authenticate you");
    if (req.method !== "GET" && token !== opts.token)
      return fail(403, "Forbidden", "You are not authorized to perform this operation");
    const path = req.path.replace(/^\/v2/, "");
    const d = /^\/domains\/([^/]+)(\/records(?:\/(\d+))?)?$/.exec(path);
    const domain = d?.[1];
    if (d === null || domain === undefined || !zones.records.has(domain)) return notFound();
    if (d[2] === undefined) {
      if (req.method !== "GET") return notFound();
      return json(200, { domain: { name: domain, ttl: 1800, zone_file: `$ORIGIN ${domain}.\n` } });
    }
    const id = d[3];
    if (id === undefined) {
      if (req.method === "GET") return list(domain, req);
      if (req.method === "POST") return write(domain, req, undefined);
      return notFound();
    }
    const rec = zones.byId(domain, `rec${id}`);
    if (rec === undefined) return notFound();
    if (req.method === "GET") return json(200, { domain_record: show(domain, rec) });
    if (req.method === "PATCH" || req.method === "PUT") return write(domain, req, rec);
    if (req.method === "DELETE") {
      zones.remove(domain, rec.id);
      return { status: 204, body: "" };
    }
    return notFound();
  }

  const vendor = await startFakeVendor(handle);
  return { ...vendor, zones };
}
