// A fake Gandi LiveDNS API v5 (https://api.gandi.net/docs/livedns/) on 127.0.0.1 for the gandi
// provider's tests (endpoint = fake.url; an optional /v5/livedns prefix is accepted).
//
// What it checks, as Gandi documents: `Authorization: Bearer <personal access token>` (anything
// else, the deprecated `Apikey …` included, is 401); a token without the "Manage domain name
// technical configurations" permission may read but not write (403); PUT bodies are JSON
// {rrset_values (non-empty), rrset_ttl (300–2592000, default 10800)}; A/AAAA values are addresses;
// TXT values are quoted character strings. Record sets live at
// /domains/{fqdn}/records/{rrset_name}/{rrset_type} with rrset_name relative ("@" at the apex).
// Errors are {code, message, object, cause} (400 adds `errors`). FakeZones hold one record per value
// with full names and the vendor's content (TXT quoted).

import { isIPv4, isIPv6 } from "node:net";
import { FakeZones, json, startFakeVendor } from "../fake-vendor.js";
import type { FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakeGandi extends FakeVendor {
  readonly zones: FakeZones;
}

export interface FakeGandiOptions {
  readonly token: string;
  /** A token that may read but not change records. */
  readonly readOnlyToken?: string;
  readonly domains: readonly string[];
}

const fail = (
  status: number,
  object: string,
  cause: string,
  message: string,
  extra: object = {},
): FakeReply => json(status, { code: status, message, object, cause, ...extra });
const QUOTED = /^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/s;

export async function startFakeGandi(opts: FakeGandiOptions): Promise<FakeGandi> {
  const zones = new FakeZones(opts.domains);

  function badRequest(name: string, description: string): FakeReply {
    return fail(400, "HTTPBadRequest", "", "Bad Request", {
      errors: [{ location: "body", name, description }],
    });
  }

  function put(domain: string, fqdn: string, type: string, req: SeenRequest): FakeReply {
    if (!/^application\/json\b/.test(req.headers["content-type"] ?? ""))
      return fail(415, "HTTPUnsupportedMediaType", "Unsupported Media Type", "Unsupported Media Type");
    let body: { rrset_values?: unknown; rrset_ttl?: unknown };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return badRequest("body", "Invalid JSON");
    }
    const values = body.rrset_values;
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string"))
      return badRequest("rrset_values", "Shorter than minimum length 1");
    const ttl = body.rrset_ttl ?? 10_800;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 300 || ttl > 2_592_000)
      return badRequest(
        "rrset_ttl",
        "Must be greater than or equal to 300 and less than or equal to 2592000.",
      );
    for (const v of values) {
      const ok =
        type === "A" ? isIPv4(v) : type === "AAAA" ? isIPv6(v) : type === "TXT" ? QUOTED.test(v) : true;
      if (!ok) return badRequest("rrset_values", `Invalid value for ${type} record: ${v}`);
    }
    const existed = zones.find(domain, fqdn, type);
    for (const r of existed) zones.remove(domain, r.id);
    for (const v of values) zones.add(domain, { name: fqdn, type, content: v, ttl, extra: {} });
    return json(201, { message: "DNS Record Created" });
  }

  function handle(req: SeenRequest): FakeReply {
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
    const token = auth?.[1];
    if (token === undefined || (token !== opts.token && token !== opts.readOnlyToken))
      return fail(
        401,
        "HTTPUnauthorized",
        "Unauthorized",
        "The server could not verify that you are authorized to access the URL requested.",
      );
    if (req.method !== "GET" && token !== opts.token)
      return fail(403, "HTTPForbidden", "Forbidden", "Access was denied to this resource.");
    const path = req.path.replace(/^\/v5\/livedns/, "");
    const m = /^\/domains\/([^/]+)(?:\/records\/([^/]+)\/([^/]+))?$/.exec(path);
    const domain = m?.[1];
    if (m === null || domain === undefined || !zones.records.has(domain))
      return fail(404, "HTTPNotFound", "Not Found", "The resource could not be found.");
    const relative = m[2];
    const type = m[3];
    if (relative === undefined || type === undefined) {
      if (req.method !== "GET")
        return fail(405, "HTTPMethodNotAllowed", "Method Not Allowed", "Method Not Allowed");
      return json(200, {
        fqdn: domain,
        automatic_snapshots: true,
        domain_href: `https://api.gandi.net/v5/livedns/domains/${domain}`,
        domain_records_href: `https://api.gandi.net/v5/livedns/domains/${domain}/records`,
      });
    }
    const fqdn = relative === "@" ? domain : `${decodeURIComponent(relative)}.${domain}`;
    const held = zones.find(domain, fqdn, type);
    if (req.method === "PUT") return put(domain, fqdn, type, req);
    if (held.length === 0) return fail(404, "dns-record", "Not Found", "Can't find the DNS record");
    if (req.method === "GET")
      return json(200, {
        rrset_name: relative,
        rrset_type: type,
        rrset_ttl: held[0]?.ttl,
        rrset_values: held.map((r) => r.content),
        rrset_href: `https://api.gandi.net/v5/livedns/domains/${domain}/records/${relative}/${type}`,
      });
    if (req.method === "DELETE") {
      for (const r of held) zones.remove(domain, r.id);
      return { status: 204, body: "" };
    }
    return fail(405, "HTTPMethodNotAllowed", "Method Not Allowed", "Method Not Allowed");
  }

  const vendor = await startFakeVendor(handle);
  return { ...vendor, zones };
}
