// A fake Hetzner Cloud API (zones and zone RRSets, https://docs.hetzner.cloud/reference/cloud#zones),
// checking what Hetzner documents: `Authorization: Bearer <token>` (401 unauthorized otherwise; a
// read-only token gets 403 token_readonly on writes), JSON bodies, relative lowercase RRSet names with
// `@` for the apex, TXT values in quotes, valid addresses, TTL ≥ 60. It answers in Hetzner's shapes:
// {"zone"}, {"zones", "meta": {"pagination"}} (page/per_page, per_page ≤ 50), {"rrset"}, writes as
// {"action"} (status "running" while `runningPolls` polls remain, then "success"), errors as
// {"error": {"code", "message", "details"}}, and RateLimit-Limit/-Remaining/-Reset on every reply.
// RRSets keep labels, change protection and per-record comments (vendor-only fields).

import { parseIp } from "../../../core/ip.js";
import { unquoteTxt } from "../../kit/txt-presentation.js";
import { json, startFakeVendor, type FakeReply, type FakeVendor, type SeenRequest } from "../fake-vendor.js";

export interface HetznerRecord {
  value: string;
  comment?: string;
}

export interface HetznerRRSet {
  name: string;
  type: string;
  ttl: number | null;
  labels: Record<string, string>;
  protection: { change: boolean };
  records: HetznerRecord[];
}

export interface HetznerZone {
  readonly id: number;
  readonly name: string;
  readonly ttl: number;
  readonly mode: "primary" | "secondary";
  /** By `${name}/${type}`. */
  readonly rrsets: Map<string, HetznerRRSet>;
}

export interface HetznerFake {
  readonly vendor: FakeVendor;
  readonly endpoint: string;
  readonly zones: HetznerZone[];
  rrset(zone: string, name: string, type: string): HetznerRRSet | undefined;
  /** Actions started from now on report "running" for this many polls before "success". */
  runningPolls: number;
  /** The next action started fails with this error. */
  failNextAction: { code: string; message: string } | undefined;
}

const BASE = "/v1";
const LIMIT = 3600;
const NAME = /^(@|\*|(\*\.)?([a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63})$/;
const err = (status: number, code: string, message: string, details: unknown = {}) =>
  json(status, { error: { code, message, details } });

export async function startHetznerFake(opts: {
  token: string;
  readOnlyToken?: string;
  zones: readonly { name: string; ttl?: number; mode?: "primary" | "secondary" }[];
  /** Reply timestamps for RateLimit-Reset (UNIX seconds). */
  now?: () => number;
}): Promise<HetznerFake> {
  const zones: HetznerZone[] = opts.zones.map((z, i) => ({
    id: 1000 + i,
    name: z.name,
    ttl: z.ttl ?? 3600,
    mode: z.mode ?? "primary",
    rrsets: new Map(),
  }));
  const actions = new Map<number, { polls: number; error: { code: string; message: string } | undefined }>();
  let nextAction = 1;
  let remaining = LIMIT;
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const state: HetznerFake = {
    vendor: undefined as unknown as FakeVendor,
    endpoint: "",
    zones,
    rrset: (zone, name, type) => zones.find((z) => z.name === zone)?.rrsets.get(`${name}/${type}`),
    runningPolls: 0,
    failNextAction: undefined,
  };

  const startAction = (command: string, zone: HetznerZone): FakeReply => {
    const id = nextAction++;
    const error = state.failNextAction;
    state.failNextAction = undefined;
    actions.set(id, { polls: state.runningPolls, error });
    return json(201, { action: actionObject(id, command, zone, state.runningPolls > 0 ? "running" : error) });
  };

  const handle = (req: SeenRequest): FakeReply => {
    const auth = req.headers["authorization"];
    const readOnly = opts.readOnlyToken !== undefined && auth === `Bearer ${opts.readOnlyToken}`;
    if (auth !== `Bearer ${opts.token}` && !readOnly)
      return err(401, "unauthorized", "unable to authenticate");
    if (readOnly && req.method !== "GET")
      return err(403, "token_readonly", "The token is only allowed to perform GET requests");
    if (
      req.method !== "GET" &&
      !(req.headers["content-type"] ?? "").startsWith("application/json") &&
      req.method !== "DELETE"
    )
      return err(400, "json_error", "invalid JSON: expected application/json");
    if (!req.path.startsWith(`${BASE}/zones`)) return err(404, "not_found", "not found");
    const parts = req.path.slice(BASE.length + 1).split("/");
    // /zones/actions/{id}
    if (parts[1] === "actions" && parts.length === 3 && req.method === "GET") {
      const id = Number(parts[2]);
      const a = actions.get(id);
      if (a === undefined) return err(404, "not_found", `action with ID '${parts[2]}' not found`);
      if (a.polls > 0) a.polls--;
      return json(200, { action: actionObject(id, "poll", zones[0], a.polls > 0 ? "running" : a.error) });
    }
    if (parts.length === 1) return req.method === "GET" ? listZones(req) : err(405, "method_not_allowed", "");
    const zone = zones.find((z) => String(z.id) === parts[1] || z.name === parts[1]);
    if (zone === undefined) return err(404, "not_found", `zone with ID or name '${parts[1]}' not found`);
    if (parts.length === 2) return json(200, { zone: zoneObject(zone) });
    if (parts[2] !== "rrsets") return err(404, "not_found", "not found");
    if (parts.length === 3 && req.method === "POST") return create(req, zone);
    const name = decodeURIComponent(parts[3] ?? "");
    const key = `${name}/${parts[4] ?? ""}`;
    const held = zone.rrsets.get(key);
    if (held === undefined) return err(404, "not_found", `rrset with ID '${key}' not found`);
    if (parts.length === 5 && req.method === "GET") return json(200, { rrset: rrsetObject(zone, held) });
    if (held.protection.change && req.method !== "GET")
      return err(403, "protected", "the RRSet is protected against changes");
    if (parts.length === 5 && req.method === "DELETE") {
      zone.rrsets.delete(key);
      return startAction("delete_rrset", zone);
    }
    if (parts.length === 7 && parts[5] === "actions" && req.method === "POST") {
      const body = parse(req.body);
      if (body === undefined) return err(400, "json_error", "invalid JSON");
      if (parts[6] === "set_records") {
        const bad = checkRecords(held.type, body["records"]);
        if (bad !== undefined) return bad;
        held.records = body["records"] as HetznerRecord[];
        return startAction("set_rrset_records", zone);
      }
      if (parts[6] === "change_ttl") {
        const ttl = body["ttl"];
        if (ttl !== null && (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 60))
          return err(400, "invalid_input", "invalid input in field 'ttl'", {
            fields: [{ name: "ttl", messages: ["must be ≥ 60"] }],
          });
        held.ttl = ttl;
        return startAction("change_rrset_ttl", zone);
      }
    }
    return err(404, "not_found", "not found");
  };

  const listZones = (req: SeenRequest): FakeReply => {
    const page = Number(req.query.get("page") ?? "1");
    const perPage = Number(req.query.get("per_page") ?? "25");
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1 || perPage > 50)
      return err(400, "invalid_input", "invalid pagination parameters");
    const lastPage = Math.max(1, Math.ceil(zones.length / perPage));
    return json(200, {
      zones: zones.slice((page - 1) * perPage, page * perPage).map(zoneObject),
      meta: {
        pagination: {
          page,
          per_page: perPage,
          previous_page: page > 1 ? page - 1 : null,
          next_page: page < lastPage ? page + 1 : null,
          last_page: lastPage,
          total_entries: zones.length,
        },
      },
    });
  };

  const create = (req: SeenRequest, zone: HetznerZone): FakeReply => {
    if (zone.mode !== "primary")
      return err(422, "incorrect_zone_mode", "This operation is not supported for this Zone's mode.");
    const body = parse(req.body);
    if (body === undefined) return err(400, "json_error", "invalid JSON");
    const name = body["name"];
    const type = body["type"];
    if (typeof name !== "string" || !NAME.test(name))
      return err(400, "invalid_input", "invalid input in field 'name'", {
        fields: [{ name: "name", messages: ["invalid name"] }],
      });
    if (typeof type !== "string") return err(400, "invalid_input", "invalid input in field 'type'");
    const ttl = body["ttl"];
    if (ttl !== undefined && ttl !== null && (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 60))
      return err(400, "invalid_input", "invalid input in field 'ttl'");
    const bad = checkRecords(type, body["records"]);
    if (bad !== undefined) return bad;
    const key = `${name}/${type}`;
    if (zone.rrsets.has(key))
      return err(409, "uniqueness_error", `rrset with name '${name}' and type '${type}' already exists`);
    const rrset: HetznerRRSet = {
      name,
      type,
      ttl: (ttl as number | undefined) ?? null,
      labels: {},
      protection: { change: false },
      records: body["records"] as HetznerRecord[],
    };
    zone.rrsets.set(key, rrset);
    const started = startAction("create_rrset", zone);
    return json(201, { rrset: rrsetObject(zone, rrset), ...(JSON.parse(started.body) as object) });
  };

  const vendor = await startFakeVendor((req) => {
    const reply = handle(req);
    remaining = Math.max(0, remaining - 1);
    const headers = {
      ...reply.headers,
      "ratelimit-limit": String(LIMIT),
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": String(now() + (LIMIT - remaining)),
    };
    return { ...reply, headers };
  });
  Object.assign(state, { vendor, endpoint: `${vendor.url}${BASE}` });
  return state;
}

function parse(body: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function checkRecords(type: string, records: unknown): FakeReply | undefined {
  const invalid = (message: string) =>
    err(400, "invalid_input", "invalid input in field 'records'", {
      fields: [{ name: "records", messages: [message] }],
    });
  if (!Array.isArray(records) || records.length === 0) return invalid("at least one record is required");
  for (const r of records as unknown[]) {
    const value = (r as { value?: unknown }).value;
    if (typeof value !== "string") return invalid("value is required");
    if (type === "A" || type === "AAAA") {
      const ip = parseIp(value);
      if (ip?.family !== (type === "A" ? 4 : 6) || ip.text !== value)
        return invalid(`invalid ${type} value ${value}`);
    }
    if (type === "TXT" && (!value.startsWith('"') || unquoteTxt(value) === undefined))
      return invalid("TXT values must consist of one or many quoted strings");
  }
  return undefined;
}

function zoneObject(z: HetznerZone) {
  return {
    id: z.id,
    name: z.name,
    created: "2025-11-10T09:00:00Z",
    mode: z.mode,
    primary_nameservers: [],
    labels: {},
    protection: { delete: false },
    ttl: z.ttl,
    status: "ok",
    record_count: z.rrsets.size,
    registrar: "other",
  };
}

function rrsetObject(z: HetznerZone, r: HetznerRRSet) {
  return {
    id: `${r.name}/${r.type}`,
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    labels: r.labels,
    protection: r.protection,
    records: r.records.map((x) => ({ value: x.value, comment: x.comment ?? "" })),
    zone: z.id,
  };
}

function actionObject(
  id: number,
  command: string,
  zone: HetznerZone | undefined,
  outcome: "running" | { code: string; message: string } | undefined,
) {
  const status = outcome === "running" ? "running" : outcome === undefined ? "success" : "error";
  return {
    id,
    command,
    status,
    progress: status === "running" ? 0 : 100,
    started: "2026-01-01T00:00:00Z",
    finished: status === "running" ? null : "2026-01-01T00:00:01Z",
    resources: zone === undefined ? [] : [{ id: zone.id, type: "zone" }],
    error: typeof outcome === "object" ? outcome : null,
  };
}
