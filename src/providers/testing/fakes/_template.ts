// The fake of the imaginary "Example DNS" API that providers/_template.ts talks to: the fake a new
// provider's test needs, as small as a fake can be while still checking what a vendor documents.
// Copy it to fakes/<vendor>.ts with the provider and make it check what YOUR vendor's docs say:
// the auth header, paths, methods, content type, bodies, and every error shape it answers with.
//
// The "documented" API (base …/v1):
// - `Authorization: Bearer <token>` on every request, else 401 {"error":{"code":"unauthorized",…}}.
// - GET /zones/{zone}/rrsets/{name}/{type} → 200 {"rrset":{"ttl":…,"values":[…]}}; 404 with code
//   "rrset_not_found" (no such set) or "zone_not_found" (no such zone in the account). `name` is
//   relative to the zone, "@" at the apex.
// - PUT the same path with JSON {"ttl": 1…604800, "values": [one or more]} creates or replaces the set
//   → 200 {"rrset": …}; a value that is not valid for the type → 422 "invalid_value".
// - DELETE the same path → 204; 404 "rrset_not_found" when there is none.

import { parseIp } from "../../../core/ip.js";
import { json, startFakeVendor, type FakeReply, type FakeVendor, type SeenRequest } from "../fake-vendor.js";

export interface TemplateRRset {
  ttl: number;
  values: string[];
}

export interface TemplateFake {
  readonly vendor: FakeVendor;
  /** The API base to configure as `endpoint` (…/v1/). */
  readonly endpoint: string;
  /** What the account holds, read without the provider (the contract suite's `peek`). */
  rrset(zone: string, name: string, type: string): TemplateRRset | undefined;
}

const BASE = "/v1";
const MAX_TTL = 604_800;
const TYPES = ["A", "AAAA", "TXT"];

export async function startTemplateFake(opts: {
  token: string;
  zones: readonly string[];
}): Promise<TemplateFake> {
  /** zone → `${name}/${type}` → set. */
  const zones = new Map(opts.zones.map((z) => [z, new Map<string, TemplateRRset>()]));
  const vendor = await startFakeVendor((req) => handle(req, opts.token, zones));
  return {
    vendor,
    endpoint: `${vendor.url}${BASE}/`,
    rrset: (zone, name, type) => zones.get(zone)?.get(`${name}/${type}`),
  };
}

const error = (status: number, code: string, message: string) => json(status, { error: { code, message } });

function handle(req: SeenRequest, token: string, zones: Map<string, Map<string, TemplateRRset>>): FakeReply {
  if (req.headers["authorization"] !== `Bearer ${token}`)
    return error(401, "unauthorized", "missing or invalid API token");
  const m = /^\/v1\/zones\/([^/]+)\/rrsets\/([^/]+)\/([A-Z]+)$/.exec(req.path);
  if (m === null) return error(404, "not_found", `no route ${req.path}`);
  const [zoneName, name, type] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), m[3]!];
  const zone = zones.get(zoneName);
  if (zone === undefined) return error(404, "zone_not_found", `zone ${zoneName} is not in this account`);
  if (!TYPES.includes(type)) return error(422, "invalid_value", `type ${type} is not supported`);
  const key = `${name}/${type}`;
  const held = zone.get(key);
  const notFound = () => error(404, "rrset_not_found", `no ${type} set at ${name}`);

  if (req.method === "GET") return held === undefined ? notFound() : json(200, { rrset: held });
  if (req.method === "DELETE") {
    if (held === undefined) return notFound();
    zone.delete(key);
    return { status: 204, body: "" };
  }
  if (req.method !== "PUT") return error(405, "method_not_allowed", `${req.method} is not allowed here`);
  if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
    return error(415, "unsupported_media_type", "send application/json");
  const problem = invalid(req.body, type);
  if (typeof problem === "string") return error(422, "invalid_value", problem);
  zone.set(key, problem);
  return json(200, { rrset: problem });
}

/** The set a PUT body asks for, or what is wrong with it. */
function invalid(body: string, type: string): TemplateRRset | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return "the body is not JSON";
  }
  const { ttl, values } = (parsed ?? {}) as { ttl?: unknown; values?: unknown };
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL)
    return `ttl must be an integer from 1 to ${MAX_TTL}`;
  if (!Array.isArray(values) || values.length === 0) return "values must be a non-empty list";
  for (const v of values as unknown[]) {
    if (typeof v !== "string") return "values must be strings";
    if (type !== "TXT" && parseIp(v)?.family !== (type === "A" ? 4 : 6))
      return `${JSON.stringify(v)} is not a valid ${type} value`;
  }
  return { ttl, values: values as string[] };
}
