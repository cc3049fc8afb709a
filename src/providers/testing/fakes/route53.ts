// A fake Amazon Route 53 (REST/XML API 2013-04-01, namespace https://route53.amazonaws.com/doc/2013-04-01/)
// on 127.0.0.1, for the route53 provider's tests. Point the provider's `endpoint` at `fake.url`.
//
// What it checks, as AWS documents (API reference: ListHostedZonesByName, ListResourceRecordSets,
// ChangeResourceRecordSets, Common Errors):
// - every request carries a SigV4 Authorization that it recomputes (testing/sigv4-check.ts) for
//   us-east-1/route53 with the known secret: unknown key → 403 InvalidClientTokenId, wrong signature,
//   scope or a clock more than 5 minutes off → 403 SignatureDoesNotMatch; a temporary key needs its
//   X-Amz-Security-Token (signed);
// - listings are ordered like Route 53's (names by reversed labels, then type) and start at the asked
//   position, so a client must check what comes back; hosted zones page with NextDNSName/NextHostedZoneId;
// - change batches are XML in the namespace, applied atomically: CREATE of an existing set, DELETE that
//   does not repeat the set exactly, a name outside the zone, a CNAME next to other types, bad A/AAAA
//   values, unquoted TXT → 400 InvalidChangeBatch with AWS's wording;
// - errors are <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
// Sets keep fields Beacon does not manage (HealthCheckId, SetIdentifier/Weight, AliasTarget).

import { randomUUID } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { startFakeVendor } from "../fake-vendor.js";
import type { FakeReply, FakeVendor, SeenRequest } from "../fake-vendor.js";
import { verifySigV4 } from "../sigv4-check.js";
import { parseXml, xmlChild, xmlChildren, xmlText, type XmlNode } from "./xml.js";

export const R53_NS = "https://route53.amazonaws.com/doc/2013-04-01/";

export interface FakeR53Set {
  /** As Route 53 prints it: lowercase, trailing dot, '*' as \052. */
  name: string;
  type: string;
  ttl?: number | undefined;
  values: string[];
  /** Other fields in document order, as XML fragments (SetIdentifier, Weight, AliasTarget, HealthCheckId…). */
  extra: Record<string, string>;
}

export interface FakeR53Zone {
  readonly id: string;
  /** With the trailing dot. */
  readonly name: string;
  readonly private: boolean;
  sets: FakeR53Set[];
}

export interface FakeRoute53 extends FakeVendor {
  readonly zones: Map<string, FakeR53Zone>;
  addZone(name: string, opts?: { private?: boolean }): string;
  /** The set a public zone holds for fqdn/type (no routing), for `peek`. */
  find(zoneId: string, fqdn: string, type: string): FakeR53Set[];
  /** Actions answered with 403 AccessDenied (an IAM policy that lacks them). */
  readonly denied: Set<string>;
}

export interface FakeRoute53Options {
  /** access key id → secret (and session token for temporary keys). */
  readonly keys: Readonly<Record<string, { secret: string; sessionToken?: string }>>;
  readonly clock?: () => number;
  /** Largest page of zones served (forces paging). */
  readonly maxZonesPerPage?: number;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function r53Error(status: number, code: string, message: string): FakeReply {
  const type = status >= 500 ? "Receiver" : "Sender";
  return {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": randomUUID() },
    body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="${R53_NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

const xml = (root: string, inner: string): FakeReply => ({
  status: 200,
  headers: { "content-type": "text/xml", "x-amzn-requestid": randomUUID() },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${R53_NS}">${inner}</${root}>`,
});

/** Route 53's listing order: labels compared from the right, then type, then set identifier. */
const sortKey = (name: string) => name.replace(/\.$/, "").split(".").reverse().join("\u0001");
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const toWire = (name: string) => {
  const n = name.toLowerCase().replace(/\\052/g, "*");
  return `${n.endsWith(".") ? n : `${n}.`}`.replace(/\*/g, "\\052");
};

const ROUTING = ["SetIdentifier", "Weight", "Region", "GeoLocation", "Failover", "MultiValueAnswer"];
const ORDER = [
  ...ROUTING,
  "TTL",
  "ResourceRecords",
  "AliasTarget",
  "HealthCheckId",
  "TrafficPolicyInstanceId",
];
const QUOTED = /^"(?:[^"\\]|\\.)*"(?: "(?:[^"\\]|\\.)*")*$/;

function setXml(s: FakeR53Set): string {
  const parts: string[] = [`<Name>${esc(s.name)}</Name>`, `<Type>${s.type}</Type>`];
  for (const k of ORDER) {
    if (k === "TTL") {
      if (s.ttl !== undefined) parts.push(`<TTL>${s.ttl}</TTL>`);
    } else if (k === "ResourceRecords") {
      if (s.values.length > 0)
        parts.push(
          `<ResourceRecords>${s.values.map((v) => `<ResourceRecord><Value>${esc(v)}</Value></ResourceRecord>`).join("")}</ResourceRecords>`,
        );
    } else if (s.extra[k] !== undefined) parts.push(`<${k}>${s.extra[k]}</${k}>`);
  }
  return `<ResourceRecordSet>${parts.join("")}</ResourceRecordSet>`;
}

function serialize(n: XmlNode): string {
  return n.children.length === 0
    ? esc(n.text)
    : n.children.map((c) => `<${c.name}>${serialize(c)}</${c.name}>`).join("");
}

export async function startFakeRoute53(opts: FakeRoute53Options): Promise<FakeRoute53> {
  const zones = new Map<string, FakeR53Zone>();
  const denied = new Set<string>();
  const clock = opts.clock ?? Date.now;
  let nextZone = 1;

  function auth(req: SeenRequest): FakeReply | undefined {
    const v = verifySigV4(req, {
      secretOf: (id) => opts.keys[id]?.secret,
      region: "us-east-1",
      service: "route53",
      now: clock(),
    });
    if (!v.ok) return r53Error(v.code === "MissingAuthenticationToken" ? 403 : 403, v.code, v.message);
    const token = opts.keys[v.accessKeyId]?.sessionToken;
    const signed = /SignedHeaders=([^,]+)/.exec(req.headers.authorization ?? "")?.[1]?.split(";") ?? [];
    if (
      token !== undefined &&
      (req.headers["x-amz-security-token"] !== token || !signed.includes("x-amz-security-token"))
    )
      return r53Error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    return undefined;
  }

  function listZonesByName(q: URLSearchParams): FakeReply {
    const max = Math.min(Number(q.get("maxitems") ?? "100") || 100, opts.maxZonesPerPage ?? 100);
    const dns = q.get("dnsname");
    const startId = q.get("hostedzoneid");
    if (startId !== null && dns === null)
      return r53Error(400, "InvalidInput", "The hosted zone ID can be specified only with a DNS name.");
    const all = [...zones.values()].sort((a, b) => cmp(sortKey(a.name), sortKey(b.name)) || cmp(a.id, b.id));
    const from = dns === null ? "" : sortKey(toWire(dns));
    const rest = all.filter((z) => {
      const c = cmp(sortKey(z.name), from);
      return c > 0 || (c === 0 && (startId === null || z.id >= startId));
    });
    const page = rest.slice(0, max);
    const more = rest[max];
    const zonesXml = page
      .map(
        (z) =>
          `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${z.name}</Name><CallerReference>ref-${z.id}</CallerReference><Config><Comment>fake</Comment><PrivateZone>${z.private}</PrivateZone></Config><ResourceRecordSetCount>${z.sets.length}</ResourceRecordSetCount></HostedZone>`,
      )
      .join("");
    return xml(
      "ListHostedZonesByNameResponse",
      `<HostedZones>${zonesXml}</HostedZones>${dns === null ? "" : `<DNSName>${esc(dns)}</DNSName>`}<IsTruncated>${more !== undefined}</IsTruncated>${more === undefined ? "" : `<NextDNSName>${more.name}</NextDNSName><NextHostedZoneId>${more.id}</NextHostedZoneId>`}<MaxItems>${max}</MaxItems>`,
    );
  }

  function listSets(zone: FakeR53Zone, q: URLSearchParams): FakeReply {
    const name = q.get("name");
    const type = q.get("type");
    if (type !== null && name === null)
      return r53Error(400, "InvalidInput", "The input is not valid: type requires name.");
    const max = Math.min(Math.max(1, Number(q.get("maxitems") ?? "300") || 300), 300);
    const all = [...zone.sets].sort(
      (a, b) =>
        cmp(sortKey(a.name), sortKey(b.name)) ||
        cmp(a.type, b.type) ||
        cmp(a.extra.SetIdentifier ?? "", b.extra.SetIdentifier ?? ""),
    );
    const startName = name === null ? "" : sortKey(toWire(name));
    const rest = all.filter((s) => {
      const c = cmp(sortKey(s.name), startName);
      return c > 0 || (c === 0 && (type === null || s.type >= type));
    });
    const page = rest.slice(0, max);
    const more = rest[max];
    return xml(
      "ListResourceRecordSetsResponse",
      `<ResourceRecordSets>${page.map(setXml).join("")}</ResourceRecordSets><IsTruncated>${more !== undefined}</IsTruncated>${more === undefined ? "" : `<NextRecordName>${more.name}</NextRecordName><NextRecordType>${more.type}</NextRecordType>`}<MaxItems>${max}</MaxItems>`,
    );
  }

  function invalidBatch(...messages: string[]): FakeReply {
    return r53Error(400, "InvalidChangeBatch", `[${messages.join(", ")}]`);
  }

  function change(zone: FakeR53Zone, body: string): FakeReply {
    let root: XmlNode;
    try {
      root = parseXml(body);
    } catch (e) {
      return r53Error(400, "InvalidInput", `Could not parse the request body: ${String(e)}`);
    }
    if (root.name !== "ChangeResourceRecordSetsRequest" || root.attrs.xmlns !== R53_NS)
      return r53Error(
        400,
        "InvalidInput",
        "Expected a ChangeResourceRecordSetsRequest in the 2013-04-01 namespace.",
      );
    const changes = xmlChildren(xmlChild(xmlChild(root, "ChangeBatch"), "Changes"), "Change");
    if (changes.length === 0) return r53Error(400, "InvalidInput", "The change batch has no changes.");
    const sets = zone.sets.map((s) => ({ ...s, values: [...s.values], extra: { ...s.extra } }));
    for (const c of changes) {
      const action = xmlText(c, "Action");
      const rrs = xmlChild(c, "ResourceRecordSet");
      if (rrs === undefined || !["CREATE", "DELETE", "UPSERT"].includes(action ?? ""))
        return r53Error(
          400,
          "InvalidInput",
          "Each change needs an Action (CREATE, DELETE, UPSERT) and a ResourceRecordSet.",
        );
      const name = toWire(xmlText(rrs, "Name") ?? "");
      const type = xmlText(rrs, "Type") ?? "";
      const ttlText = xmlText(rrs, "TTL");
      const values = xmlChildren(xmlChild(rrs, "ResourceRecords"), "ResourceRecord").map(
        (r) => xmlText(r, "Value") ?? "",
      );
      const extra: Record<string, string> = {};
      for (const n of rrs.children) {
        if (!["Name", "Type", "TTL", "ResourceRecords"].includes(n.name)) extra[n.name] = serialize(n);
      }
      const set: FakeR53Set = {
        name,
        type,
        ttl: ttlText === undefined ? undefined : Number(ttlText),
        values,
        extra,
      };
      const label = `[name='${name}', type='${type}'${extra.SetIdentifier === undefined ? "" : `, set-identifier='${extra.SetIdentifier}'`}]`;
      if (name !== zone.name && !name.endsWith(`.${zone.name}`))
        return invalidBatch(`RRSet with DNS name ${name} is not permitted in zone ${zone.name}`);
      if (
        extra.AliasTarget === undefined &&
        (set.ttl === undefined || !Number.isInteger(set.ttl) || set.ttl < 0 || values.length === 0)
      )
        return r53Error(
          400,
          "InvalidInput",
          `Invalid request: Missing field 'TTL' or 'ResourceRecords' in ${label}`,
        );
      for (const v of values) {
        const bad =
          type === "A" && !isIPv4(v)
            ? "ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)"
            : type === "AAAA" && !isIPv6(v)
              ? "AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)"
              : type === "TXT" && !QUOTED.test(v)
                ? "InvalidCharacterString (Value should be enclosed in quotation marks)"
                : undefined;
        if (bad !== undefined)
          return invalidBatch(`Invalid Resource Record: 'FATAL problem: ${bad} encountered with '${v}''`);
      }
      const same = (s: FakeR53Set) =>
        s.name === name && s.type === type && s.extra.SetIdentifier === extra.SetIdentifier;
      const i = sets.findIndex(same);
      if (action === "DELETE") {
        const held = sets[i];
        if (held === undefined)
          return invalidBatch(`Tried to delete resource record set ${label} but it was not found`);
        const exact =
          held.ttl === set.ttl &&
          JSON.stringify([...held.values].sort()) === JSON.stringify([...values].sort()) &&
          JSON.stringify(Object.entries(held.extra).sort()) === JSON.stringify(Object.entries(extra).sort());
        if (!exact)
          return invalidBatch(
            `Tried to delete resource record set ${label} but the values provided do not match the current values`,
          );
        sets.splice(i, 1);
        continue;
      }
      if (action === "CREATE" && i >= 0)
        return invalidBatch(`Tried to create resource record set ${label} but it already exists`);
      if (sets.some((s) => s.name === name && s.type !== type && (s.type === "CNAME" || type === "CNAME")))
        return invalidBatch(
          `RRSet of type ${type} with DNS name ${name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name}`,
        );
      if (i >= 0) sets[i] = set;
      else sets.push(set);
    }
    zone.sets = sets;
    const id = `C${randomUUID().replace(/-/g, "").slice(0, 13).toUpperCase()}`;
    return xml(
      "ChangeResourceRecordSetsResponse",
      `<ChangeInfo><Id>/change/${id}</Id><Status>PENDING</Status><SubmittedAt>${new Date(clock()).toISOString()}</SubmittedAt></ChangeInfo>`,
    );
  }

  const vendor = await startFakeVendor((req) => {
    const failed = auth(req);
    if (failed !== undefined) return failed;
    const byName = req.path === "/2013-04-01/hostedzonesbyname";
    const m = /^\/2013-04-01\/hostedzone\/([A-Z0-9]+)\/rrset\/?$/.exec(req.path);
    const action = byName
      ? "ListHostedZonesByName"
      : m !== null && req.method === "GET"
        ? "ListResourceRecordSets"
        : m !== null && req.method === "POST"
          ? "ChangeResourceRecordSets"
          : undefined;
    if (action === undefined)
      return r53Error(404, "UnknownOperationException", `No operation at ${req.method} ${req.path}`);
    if (denied.has(action))
      return r53Error(
        403,
        "AccessDenied",
        `User: arn:aws:iam::123456789012:user/beacon is not authorized to perform: route53:${action} because no identity-based policy allows the route53:${action} action`,
      );
    if (action === "ListHostedZonesByName")
      return req.method === "GET"
        ? listZonesByName(req.query)
        : r53Error(405, "MethodNotAllowed", "GET only");
    const zone = zones.get(m?.[1] ?? "");
    if (zone === undefined)
      return r53Error(404, "NoSuchHostedZone", `No hosted zone found with ID: ${m?.[1] ?? ""}`);
    return action === "ListResourceRecordSets" ? listSets(zone, req.query) : change(zone, req.body);
  });

  return Object.assign(vendor, {
    zones,
    denied,
    addZone(name: string, o: { private?: boolean } = {}) {
      const id = `Z${String(nextZone++).padStart(3, "0")}BEACONFAKE${o.private === true ? "P" : "Q"}`;
      zones.set(id, { id, name: toWire(name), private: o.private === true, sets: [] });
      return id;
    },
    find(zoneId: string, fqdn: string, type: string) {
      return (zones.get(zoneId)?.sets ?? []).filter((s) => s.name === toWire(fqdn) && s.type === type);
    },
  });
}
