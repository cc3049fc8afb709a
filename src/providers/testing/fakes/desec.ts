// A fake deSEC API (https://desec.io/api/v1), checking what desec.readthedocs.io documents:
// `Authorization: Token …` (DRF's 401 bodies otherwise), trailing slashes, JSON bodies, the zone apex
// addressed as `@` in URLs but as "" in bulk bodies (where `@` is refused), TXT contents in double
// quotes, A/AAAA contents valid (and canonicalised, as deSEC does), TTLs not below the domain's
// minimum_ttl (400 {"ttl": ["Ensure this value is greater than or equal to N."]}, per item in bulk
// requests). Replies use deSEC's shapes: RRset objects with created/touched, {"detail": …} errors.
// Docs: https://desec.readthedocs.io/en/latest/dns/rrsets.html, …/dns/domains.html, …/rate-limits.html

import { parseIp } from "../../../core/ip.js";
import { unquoteTxt } from "../../kit/txt-presentation.js";
import { json, startFakeVendor, type FakeReply, type FakeVendor, type SeenRequest } from "../fake-vendor.js";

export interface DesecRRset {
  subname: string;
  type: string;
  ttl: number;
  records: string[];
  created: string;
  touched: string;
}

export interface DesecDomain {
  readonly name: string;
  readonly minimum_ttl: number;
  /** By `${subname}/${type}`. */
  readonly rrsets: Map<string, DesecRRset>;
}

export interface DesecFake {
  readonly vendor: FakeVendor;
  /** The API base to configure as `endpoint` (…/api/v1/). */
  readonly endpoint: string;
  readonly domains: Map<string, DesecDomain>;
  rrset(domain: string, subname: string, type: string): DesecRRset | undefined;
}

const BASE = "/api/v1";
const MAX_TTL = 604_800;
const SUBNAME = /^(\*\.)?([a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}$|^\*$|^$/;

export async function startDesecFake(opts: {
  token: string;
  domains: readonly { name: string; minimum_ttl: number }[];
}): Promise<DesecFake> {
  const domains = new Map<string, DesecDomain>(
    opts.domains.map((d) => [d.name, { name: d.name, minimum_ttl: d.minimum_ttl, rrsets: new Map() }]),
  );
  let tick = 0;
  const now = () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString();
  const vendor = await startFakeVendor((req) => handle(req, opts.token, domains, now));
  return {
    vendor,
    endpoint: `${vendor.url}${BASE}/`,
    domains,
    rrset: (domain, subname, type) => domains.get(domain)?.rrsets.get(`${subname}/${type}`),
  };
}

const detail = (status: number, text: string, headers: Record<string, string> = {}) =>
  json(status, { detail: text }, headers);
const notFound = () => detail(404, "Not found.");

function handle(
  req: SeenRequest,
  token: string,
  domains: Map<string, DesecDomain>,
  now: () => string,
): FakeReply {
  const auth = req.headers["authorization"];
  if (auth === undefined)
    return detail(401, "Authentication credentials were not provided.", { "www-authenticate": "Token" });
  if (auth !== `Token ${token}`) return detail(401, "Invalid token.", { "www-authenticate": "Token" });
  if (!req.path.startsWith(`${BASE}/`) || !req.path.endsWith("/")) return notFound();
  const parts = req.path.slice(BASE.length + 1, -1).split("/");
  if (parts[0] !== "domains") return notFound();

  if (parts.length === 1 && req.method === "GET") {
    const qname = req.query.get("owns_qname");
    const all = [...domains.values()];
    const owning =
      qname === null
        ? all
        : all
            .filter((d) => qname === d.name || qname.endsWith(`.${d.name}`))
            .sort((a, b) => b.name.length - a.name.length)
            .slice(0, 1);
    return json(200, owning.map(domainObject));
  }
  const domain = parts[1] === undefined ? undefined : domains.get(parts[1]);
  if (domain === undefined) return notFound();
  if (parts.length === 2) return req.method === "GET" ? json(200, domainObject(domain)) : notAllowed(req);
  if (parts[2] !== "rrsets") return notFound();
  if (parts.length === 3) return req.method === "PUT" ? bulkPut(req, domain, now) : notAllowed(req);
  if (parts.length !== 5) return notFound();
  const subname = parts[3] === "@" ? "" : (parts[3] ?? "");
  const key = `${subname}/${parts[4] ?? ""}`;
  if (req.method === "GET") {
    const held = domain.rrsets.get(key);
    return held === undefined ? notFound() : json(200, rrsetObject(domain, held));
  }
  if (req.method === "DELETE") {
    // Documented: 204 on success "or if the RRset did not exist in the first place".
    domain.rrsets.delete(key);
    return { status: 204, body: "" };
  }
  return notAllowed(req);
}

const notAllowed = (req: SeenRequest) => detail(405, `Method "${req.method}" not allowed.`);

function domainObject(d: DesecDomain) {
  return {
    created: "2025-06-01T10:00:00.000000Z",
    minimum_ttl: d.minimum_ttl,
    name: d.name,
    published: "2026-01-01T00:00:00.000000Z",
    touched: "2026-01-01T00:00:00.000000Z",
  };
}

function rrsetObject(d: DesecDomain, r: DesecRRset) {
  return {
    created: r.created,
    domain: d.name,
    subname: r.subname,
    name: r.subname === "" ? `${d.name}.` : `${r.subname}.${d.name}.`,
    type: r.type,
    records: r.records,
    ttl: r.ttl,
    touched: r.touched,
  };
}

/** PUT …/rrsets/ with an array: creates or replaces each RRset; `records: []` deletes. Atomic. */
function bulkPut(req: SeenRequest, domain: DesecDomain, now: () => string): FakeReply {
  const type = req.headers["content-type"] ?? "";
  if (!type.startsWith("application/json"))
    return detail(415, `Unsupported media type "${type}" in request.`);
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    return detail(400, "JSON parse error - Expecting value: line 1 column 1 (char 0)");
  }
  if (!Array.isArray(body))
    return json(400, { non_field_errors: [`Expected a list of items but got ${typeof body}.`] });
  const errors = body.map((item) => validate(item, domain.minimum_ttl));
  if (errors.some((e) => Object.keys(e).length > 0)) return json(400, errors);
  const out: unknown[] = [];
  for (const item of body as { subname?: string; type: string; ttl: number; records: string[] }[]) {
    const subname = item.subname ?? "";
    const key = `${subname}/${item.type}`;
    if (item.records.length === 0) {
      domain.rrsets.delete(key);
      continue;
    }
    const records = item.records.map((c) => canonical(item.type, c) ?? c);
    const held = domain.rrsets.get(key);
    const stamp = now();
    const next = {
      subname,
      type: item.type,
      ttl: item.ttl,
      records,
      created: held?.created ?? stamp,
      touched: stamp,
    };
    domain.rrsets.set(key, next);
    out.push(rrsetObject(domain, next));
  }
  return json(200, out);
}

function validate(item: unknown, minimumTtl: number): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  if (typeof item !== "object" || item === null || Array.isArray(item))
    return { non_field_errors: ["Invalid data. Expected a dictionary."] };
  const r = item as Record<string, unknown>;
  if (r["subname"] !== undefined && (typeof r["subname"] !== "string" || !SUBNAME.test(r["subname"])))
    errors["subname"] = [
      "Subname can only use (lowercase) a-z, 0-9, ., -, and _, may start with a '*.', or just be '*'. Components may not exceed 63 characters.",
    ];
  if (typeof r["type"] !== "string") errors["type"] = ["This field is required."];
  else if (!["A", "AAAA", "TXT", "CNAME", "MX"].includes(r["type"]))
    errors["type"] = [`The ${r["type"]} RRset type is currently unsupported.`];
  const ttl = r["ttl"];
  if (ttl === undefined) errors["ttl"] = ["This field is required."];
  else if (typeof ttl !== "number" || !Number.isInteger(ttl))
    errors["ttl"] = ["A valid integer is required."];
  else if (ttl < minimumTtl) errors["ttl"] = [`Ensure this value is greater than or equal to ${minimumTtl}.`];
  else if (ttl > MAX_TTL) errors["ttl"] = [`Ensure this value is less than or equal to ${MAX_TTL}.`];
  const records: unknown = r["records"];
  if (!Array.isArray(records)) errors["records"] = ["This field is required."];
  else if (typeof r["type"] === "string") {
    const bad: unknown = (records as unknown[]).find(
      (c) => typeof c !== "string" || canonical(r["type"] as string, c) === undefined,
    );
    if (bad !== undefined)
      errors["records"] = [`Record content for type ${r["type"]} malformed: ${JSON.stringify(bad)}`];
  }
  return errors;
}

/** deSEC's canonical form of a record content, or undefined when it is malformed for the type. */
function canonical(type: string, content: unknown): string | undefined {
  if (typeof content !== "string") return undefined;
  if (type === "A" || type === "AAAA") {
    const ip = parseIp(content);
    return ip?.family === (type === "A" ? 4 : 6) ? ip.text : undefined;
  }
  // "The contents of the TXT record must be enclosed in double quotes."
  if (type === "TXT")
    return content.startsWith('"') && unquoteTxt(content) !== undefined ? content : undefined;
  return content;
}
