// A fake Porkbun API v3 (https://porkbun.com/api/json/v3/documentation) on 127.0.0.1, for the porkbun
// provider's tests. Serve it with the provider's `endpoint` set to `fake.url` (an optional
// /api/json/v3 prefix is accepted).
//
// What it checks, as Porkbun does: every call is a POST of a JSON body with `apikey` and
// `secretapikey` (wrong or missing → 400 "Invalid API key. (002)"); the domain is the account's
// (else 400 "Invalid domain.") and opted in to API access (else 400 "Domain is not opted in to API
// access."); record content valid for the type; an edit that changes nothing fails like Porkbun's
// ("Edit error: We were unable to edit the DNS record."), and so does creating an exact duplicate.
// TTLs below 600 are stored as 600, Porkbun's minimum. Replies are {status: "SUCCESS", …} or
// {status: "ERROR", message}; records come back with Porkbun's string fields (ttl "600", prio "0"),
// full names, and the vendor-only `notes` and `prio`, which an edit without them keeps.
// /domain/listAll pages with `start` (page size configurable to exercise paging).

import { isIPv4, isIPv6 } from "node:net";
import { FakeZones, json, startFakeVendor } from "../fake-vendor.js";
import type { FakeRecord, FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";

export interface FakePorkbun extends FakeVendor {
  readonly zones: FakeZones;
  /** Porkbun's record id (digits) of a stored record. */
  idOf(r: FakeRecord): string;
}

export interface FakePorkbunOptions {
  readonly apiKey: string;
  readonly secretApiKey: string;
  readonly domains: readonly string[];
  /** Domains of the account whose API access is off. */
  readonly notOptedIn?: readonly string[];
  /** Domains per listAll page (Porkbun: 1000). */
  readonly pageSize?: number;
}

const MIN_TTL = 600;
const PREFIX = "/api/json/v3";

const error = (message: string, status = 400): FakeReply => json(status, { status: "ERROR", message });
const success = (rest: Record<string, unknown> = {}): FakeReply => json(200, { status: "SUCCESS", ...rest });

export async function startFakePorkbun(opts: FakePorkbunOptions): Promise<FakePorkbun> {
  const zones = new FakeZones(opts.domains);
  const closed = new Set(opts.notOptedIn ?? []);
  const pageSize = opts.pageSize ?? 1000;
  const idOf = (r: FakeRecord) => r.id.replace(/^rec/, "");

  const toVendor = (r: FakeRecord) => ({
    id: idOf(r),
    name: r.name,
    type: r.type,
    content: r.content,
    ttl: String(r.ttl),
    prio: r.extra.prio ?? "0",
    notes: r.extra.notes ?? "",
  });

  function validContent(type: string, content: unknown): content is string {
    if (typeof content !== "string" || content === "") return false;
    if (type === "A") return isIPv4(content);
    if (type === "AAAA") return isIPv6(content);
    return true;
  }

  const ttlOf = (ttl: unknown): number | undefined => {
    if (ttl === undefined || ttl === null || ttl === "") return MIN_TTL;
    const n = Number(ttl);
    return Number.isInteger(n) && n > 0 ? Math.max(n, MIN_TTL) : undefined;
  };

  function handle(req: SeenRequest): FakeReply {
    if (req.method !== "POST") return error("Invalid request method.", 405);
    if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
      return error("Invalid request body: expected JSON.");
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(req.body);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return error("Invalid request body: expected JSON.");
    }
    if (body.apikey !== opts.apiKey || body.secretapikey !== opts.secretApiKey)
      return error("Invalid API key. (002)");

    const path = req.path.startsWith(PREFIX) ? req.path.slice(PREFIX.length) : req.path;
    const parts = path.split("/").map(decodeURIComponent);
    if (path === "/domain/listAll") {
      const start = Number(body.start ?? "0");
      const page = opts.domains.slice(start, start + pageSize);
      return success({
        domains: page.map((domain) => ({ domain, status: "ACTIVE", tld: domain.split(".").pop() })),
      });
    }
    // ["", "dns", action, domain, ...rest]
    const [, dns, action, rawDomain, ...rest] = parts;
    if (dns !== "dns" || action === undefined || rawDomain === undefined)
      return error("Invalid endpoint.", 404);
    const domain = rawDomain.toLowerCase();
    if (!zones.records.has(domain)) return error("Invalid domain.");
    if (closed.has(domain)) return error("Domain is not opted in to API access.");
    const fqdnOf = (sub: unknown) =>
      typeof sub === "string" && sub !== "" ? `${sub.toLowerCase()}.${domain}` : domain;
    const byId = (id: string | undefined) => (id === undefined ? undefined : zones.byId(domain, `rec${id}`));

    switch (action) {
      case "retrieveByNameType": {
        const [type, sub] = rest;
        if (type === undefined || rest.length > 2) return error("Invalid endpoint.", 404);
        return success({
          cloudflare: "enabled",
          records: zones.find(domain, fqdnOf(sub), type).map(toVendor),
        });
      }
      case "create": {
        const type = typeof body.type === "string" ? body.type : "";
        if (type === "") return error("Create error: A record type is required.");
        if (!validContent(type, body.content)) return error("Create error: The record content is invalid.");
        const ttl = ttlOf(body.ttl);
        if (ttl === undefined) return error("Create error: The TTL is invalid.");
        const name = fqdnOf(body.name);
        if (zones.find(domain, name, type).some((r) => r.content === body.content))
          return error("Create error: We were unable to create the DNS record.");
        const extra: Record<string, unknown> = {};
        if (typeof body.prio === "string" || typeof body.prio === "number") extra.prio = String(body.prio);
        if (typeof body.notes === "string") extra.notes = body.notes;
        const rec = zones.add(domain, { name, type, content: body.content, ttl, extra });
        return success({ id: Number(idOf(rec)) });
      }
      case "edit": {
        const rec = byId(rest[0]);
        if (rec === undefined || rest.length !== 1) return error("Edit error: Invalid record ID.");
        const type = typeof body.type === "string" ? body.type : "";
        if (type === "" || !validContent(type, body.content))
          return error("Edit error: The record type and content are required and must be valid.");
        const ttl = ttlOf(body.ttl);
        if (ttl === undefined) return error("Edit error: The TTL is invalid.");
        const name = fqdnOf(body.name);
        const notes = typeof body.notes === "string" ? body.notes : rec.extra.notes;
        const prio =
          typeof body.prio === "string" || typeof body.prio === "number" ? String(body.prio) : rec.extra.prio;
        const same =
          rec.name === name &&
          rec.type === type &&
          rec.content === body.content &&
          rec.ttl === ttl &&
          notes === rec.extra.notes &&
          prio === rec.extra.prio;
        if (same) return error("Edit error: We were unable to edit the DNS record.");
        Object.assign(rec, { name, type, content: body.content, ttl });
        if (notes !== undefined) rec.extra.notes = notes;
        if (prio !== undefined) rec.extra.prio = prio;
        return success();
      }
      case "delete": {
        const rec = byId(rest[0]);
        if (rec === undefined || rest.length !== 1) return error("Delete error: Invalid record ID.");
        zones.remove(domain, rec.id);
        return success();
      }
      default:
        return error("Invalid endpoint.", 404);
    }
  }

  const vendor = await startFakeVendor(handle);
  return { ...vendor, zones, idOf };
}
