// A fake GoDaddy Domains API v1 (https://developer.godaddy.com/doc/endpoint/domains) on 127.0.0.1, for
// the godaddy provider's tests. Serve it with the provider's `endpoint` set to `fake.url`.
//
// What it checks, as GoDaddy does: `Authorization: sso-key {key}:{secret}` (missing or wrong → 401
// UNABLE_TO_AUTHENTICATE); `Content-Type: application/json` on PUT bodies; PUT bodies are a non-empty
// array of {data, ttl?} with data valid for the type and ttl ≥ 600 (else 422 INVALID_BODY with
// `fields`). Unknown domains are 404 NOT_FOUND on GET /v1/domains/{domain} and 404 UNKNOWN_DOMAIN on
// record paths; DELETE of a set that does not exist is 404 NOT_FOUND. Replies use GoDaddy's shapes:
// records as [{data, name, ttl, type}] (name relative, "@" at the apex), errors as
// {code, message, fields?}. GET of a set honours `offset`/`limit` as documented.

import { isIPv4, isIPv6 } from "node:net";
import { FakeZones, json, startFakeVendor } from "../fake-vendor.js";
import type { FakeRecord, FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakeGodaddy extends FakeVendor {
  readonly zones: FakeZones;
}

export interface FakeGodaddyOptions {
  readonly key: string;
  readonly secret: string;
  /** Domains of the account. */
  readonly domains: readonly string[];
}

const MIN_TTL = 600;
const DEFAULT_TTL = 3600;
const TYPES = new Set(["A", "AAAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT", "CAA"]);

const error = (status: number, code: string, message: string, fields?: unknown[]): FakeReply =>
  json(status, { code, message, ...(fields === undefined ? {} : { fields }) });

const invalidBody = (path: string, message: string) =>
  error(422, "INVALID_BODY", "Request body doesn't fulfill schema, see details in `fields`", [
    { code: "UNEXPECTED_VALUE", message, path, pathRelated: path },
  ]);

export async function startFakeGodaddy(opts: FakeGodaddyOptions): Promise<FakeGodaddy> {
  const zones = new FakeZones(opts.domains);
  const expected = `sso-key ${opts.key}:${opts.secret}`;

  const fqdnOf = (name: string, domain: string) => (name === "@" ? domain : `${name}.${domain}`);
  const toVendor = (r: FakeRecord, domain: string) => ({
    data: r.content,
    name: r.name === domain ? "@" : r.name.slice(0, -domain.length - 1),
    ttl: r.ttl,
    type: r.type,
  });

  function handle(req: SeenRequest): FakeReply {
    const auth = req.headers.authorization;
    if (auth === undefined)
      return error(401, "UNABLE_TO_AUTHENTICATE", "Unauthorized : Credentials must be specified");
    if (auth !== expected)
      return error(401, "UNABLE_TO_AUTHENTICATE", "Unauthorized : Could not authenticate API key/secret");

    const parts = req.path.split("/").map(decodeURIComponent);
    // ["", "v1", "domains", domain, "records", type, name]
    if (parts[1] !== "v1" || parts[2] !== "domains" || parts[3] === undefined || parts[3] === "")
      return error(404, "NOT_FOUND", "The requested resource was not found");
    const domain = parts[3].toLowerCase();
    const known = zones.records.has(domain);

    if (parts.length === 4) {
      if (req.method !== "GET") return error(405, "METHOD_NOT_ALLOWED", "Method not allowed");
      if (!known) return error(404, "NOT_FOUND", `Domain ${domain} not found for shopper 1234567`);
      return json(200, { domain, domainId: 1000 + domain.length, status: "ACTIVE", locked: true });
    }
    const [, , , , records, type, rawName] = parts;
    if (parts.length !== 7 || records !== "records" || type === undefined || rawName === undefined)
      return error(404, "NOT_FOUND", "The requested resource was not found");
    if (!TYPES.has(type))
      return error(422, "INVALID_TYPE", `type \`${type}\` is not a supported record type`);
    if (!known)
      return error(404, "UNKNOWN_DOMAIN", "The given domain is not registered, or does not have a zone file");
    const name = rawName.toLowerCase();
    const fqdn = fqdnOf(name, domain);
    const held = zones.find(domain, fqdn, type);

    switch (req.method) {
      case "GET": {
        const offset = Number(req.query.get("offset") ?? "0");
        const limit = Number(req.query.get("limit") ?? "500");
        const page = held.slice(offset, offset + limit);
        return json(
          200,
          page.map((r) => toVendor(r, domain)),
        );
      }
      case "PUT": {
        if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
          return error(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
        let body: unknown;
        try {
          body = JSON.parse(req.body);
        } catch {
          return error(400, "INVALID_BODY", "Request body is not valid JSON");
        }
        if (!Array.isArray(body) || body.length === 0)
          return invalidBody("records", "must be a non-empty array");
        const next: { content: string; ttl: number }[] = [];
        for (const [i, item] of (body as unknown[]).entries()) {
          const rec = item as { data?: unknown; ttl?: unknown };
          if (typeof rec !== "object" || rec === null || typeof rec.data !== "string" || rec.data === "")
            return invalidBody(`records[${i}].data`, "is required");
          if (type === "A" && !isIPv4(rec.data))
            return invalidBody(`records[${i}].data`, "is not an IPv4 address");
          if (type === "AAAA" && !isIPv6(rec.data))
            return invalidBody(`records[${i}].data`, "is not an IPv6 address");
          const ttl = rec.ttl ?? DEFAULT_TTL;
          if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < MIN_TTL)
            return invalidBody(`records[${i}].ttl`, `must be an integer >= ${MIN_TTL}`);
          next.push({ content: rec.data, ttl });
        }
        for (const r of held) zones.remove(domain, r.id);
        for (const r of next)
          zones.add(domain, { name: fqdn, type, content: r.content, ttl: r.ttl, extra: {} });
        return { status: 200, body: "" };
      }
      case "DELETE": {
        if (held.length === 0)
          return error(404, "NOT_FOUND", `No records of type ${type} and name ${name} exist`);
        for (const r of held) zones.remove(domain, r.id);
        return { status: 204, body: "" };
      }
      default:
        return error(405, "METHOD_NOT_ALLOWED", "Method not allowed");
    }
  }

  const vendor = await startFakeVendor(handle);
  return { ...vendor, zones, requests: vendor.requests };
}
