// Provider "route53": Amazon Route 53 through the official AWS SDK (sdk.ts: loaded on first use,
// static credentials, no SDK retries, our HTTP client).
//
// Route 53 holds whole record sets, so this is an rrsetProvider: read with ListResourceRecordSets
// starting at (name, type) — the listing continues past the name, so the returned names and types are
// checked —, write with one UPSERT, remove with a DELETE that repeats the set exactly as read.
// A set at the name that uses a routing policy (SetIdentifier: weighted, latency, failover, geo,
// multivalue…), an alias target or a traffic policy is not Beacon's to overwrite: provider_conflict.
// The fields Beacon does not manage (a health check id) are written back as read.
//
// The hosted zone is configured (hosted_zone_id) or discovered with ListHostedZonesByName, walking up
// from the name; with both a public and a private zone of that name, `private_zone` picks one.

import { z } from "zod";
import type { HostedZone, ResourceRecordSet } from "@aws-sdk/client-route-53";
import { BeaconError, isBeaconError } from "../../core/errors.js";
import { httpUrlSetting } from "../../net/http-url.js";
import { VendorError, vendorFailure, type ProviderErrorCode } from "../errors.js";
import { fromRoute53Name, fromRoute53Txt, toRoute53Txt } from "./values.js";
import { route53Api, type Route53Api } from "./sdk.js";
import { rrsetProvider } from "../kit/rrset-provider.js";
import { secret } from "../kit/secrets.js";
import { ttlToWrite, vendorSet, fullCapabilities } from "../kit/sets.js";
import type {
  CallContext,
  ProviderCapabilities,
  ProviderDefinition,
  ProviderRecordType,
  ProviderRRSet,
} from "../types.js";

export interface Route53Settings {
  readonly access_key_id: string;
  readonly secret_access_key: string;
  /** Temporary credentials (STS) carry a session token. */
  readonly session_token?: string | undefined;
  /** Signing region: us-east-1 for the global endpoint; cn-northwest-1 / us-gov-west-1 for those partitions. */
  readonly region: string;
  /** Bare id ("Z0123…"); discovered from the name when absent. */
  readonly hosted_zone_id?: string | undefined;
  /** Discovery picks the private zone of a name instead of the public one. */
  readonly private_zone: boolean;
  /** Override the API endpoint (tests, VPC endpoints); the SDK picks the partition's otherwise. */
  readonly endpoint?: string | undefined;
  /** TTL of new sets when the write has none. */
  readonly ttl: number;
}

const settings: z.ZodType<Route53Settings> = z.strictObject({
  access_key_id: secret(
    z
      .string({ error: "expected the access key id (AKIA… or ASIA…)" })
      .regex(/^[A-Z0-9]{16,128}$/, { error: "an access key id is 16–128 uppercase letters and digits" }),
  ),
  secret_access_key: secret(
    z
      .string({ error: "expected the secret access key (or secret_access_key_file)" })
      .min(1, { error: "the secret access key is empty" }),
  ),
  session_token: secret(z.string().min(1, { error: "the session token is empty" }).optional()),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: "expected an AWS region such as us-east-1" })
    .default("us-east-1"),
  hosted_zone_id: z
    .string({ error: "expected a hosted zone id such as Z0123456789ABCDEFGHIJ" })
    .transform((id) => id.replace(/^\/?hostedzone\//, ""))
    .pipe(z.string().regex(/^[A-Z0-9]{1,32}$/, { error: "a hosted zone id is uppercase letters and digits" }))
    .optional(),
  private_zone: z.boolean({ error: "expected true or false" }).default(false),
  endpoint: httpUrlSetting({ allowQuery: false }).optional(),
  ttl: z.int({ error: "expected a TTL in seconds" }).min(0).max(2_147_483_647).default(300),
});

const CAPABILITIES: ProviderCapabilities = fullCapabilities();

export const route53Provider: ProviderDefinition<Route53Settings> = {
  type: "route53",
  description: "Amazon Route 53 through the official AWS SDK (static access keys, SigV4)",
  settings,
  create(id, s, deps) {
    const vendor = `route53 ${id}`;
    const api = route53Api(
      {
        accessKeyId: s.access_key_id,
        secretAccessKey: s.secret_access_key,
        sessionToken: s.session_token,
        region: s.region,
        endpoint: s.endpoint,
      },
      deps,
      vendor,
    );
    return rrsetProvider({
      id,
      type: "route53",
      vendor,
      capabilities: CAPABILITIES,
      api: route53Sets(vendor, s, api),
    });
  },
};

interface HeldSet {
  readonly set: ProviderRRSet;
  readonly zoneId: string;
  /** As Route 53 returned it: a DELETE must repeat it exactly, an UPSERT keeps its other fields. */
  readonly raw: ResourceRecordSet;
}

/** Fields that make a set part of a routing policy, an alias or a traffic policy instance. */
const ROUTED: readonly (keyof ResourceRecordSet)[] = [
  "SetIdentifier",
  "Weight",
  "Region",
  "GeoLocation",
  "Failover",
  "MultiValueAnswer",
  "AliasTarget",
  "TrafficPolicyInstanceId",
  "CidrRoutingConfig",
  "GeoProximityLocation",
];

/** Bounds: sets at one name/type (routing policies allow many) and pages of same-named zones. */
const SETS_PER_READ = 20;
const ZONE_PAGES = 10;

function route53Sets(vendor: string, s: Route53Settings, api: Route53Api) {
  const zones = new Map<string, string>();

  async function call<T>(ctx: CallContext, what: () => Promise<T>): Promise<T> {
    if (ctx.signal.aborted) throw new BeaconError("aborted", `${vendor}: aborted before sending`);
    try {
      return await what();
    } catch (e) {
      // The SDK rejects with its own AbortError when the signal fires.
      if (ctx.signal.aborted && !isBeaconError(e))
        throw new BeaconError("aborted", `${vendor}: aborted before a reply`, { cause: e });
      throw fromSdkError(vendor, e);
    }
  }

  /** Hosted zones named exactly `name` (public or private), following pages of the same name. */
  async function zonesNamed(name: string, ctx: CallContext): Promise<HostedZone[]> {
    const found: HostedZone[] = [];
    let next: { DNSName: string; HostedZoneId?: string } = { DNSName: name };
    for (let page = 0; page < ZONE_PAGES; page++) {
      const out = await call(ctx, () => api.listZonesByName({ ...next, MaxItems: 10 }, ctx));
      const list = out.HostedZones ?? [];
      const same = list.filter((z) => fromRoute53Name(z.Name ?? "") === name);
      found.push(...same);
      if (out.IsTruncated !== true || same.length < list.length || out.NextDNSName === undefined) break;
      next = {
        DNSName: out.NextDNSName,
        ...(out.NextHostedZoneId === undefined ? {} : { HostedZoneId: out.NextHostedZoneId }),
      };
    }
    return found;
  }

  async function zoneOf(fqdn: string, ctx: CallContext): Promise<string> {
    if (s.hosted_zone_id !== undefined) return s.hosted_zone_id;
    const cached = zones.get(fqdn);
    if (cached !== undefined) return cached;
    const labels = fqdn.split(".");
    for (let i = 0; i < labels.length; i++) {
      const name = labels.slice(i).join(".");
      const fitting = (await zonesNamed(name, ctx)).filter(
        (z) => (z.Config?.PrivateZone ?? false) === s.private_zone,
      );
      if (fitting.length > 1)
        throw vendorFailure(
          "provider_conflict",
          new VendorError(
            vendor,
            `${fitting.length} ${s.private_zone ? "private" : "public"} hosted zones are named ${name}: set hosted_zone_id`,
          ),
        );
      const id = fitting[0]?.Id?.replace(/^\/hostedzone\//, "");
      if (id !== undefined) {
        zones.set(fqdn, id);
        return id;
      }
    }
    throw vendorFailure(
      "provider_zone_not_found",
      new VendorError(vendor, `no ${s.private_zone ? "private" : "public"} hosted zone holds ${fqdn}`),
    );
  }

  function valueOf(type: ProviderRecordType, value: string): string {
    if (type !== "TXT") return value;
    const text = fromRoute53Txt(value);
    if (text === undefined)
      throw vendorFailure(
        "malformed_reply",
        new VendorError(vendor, `holds an unreadable TXT value: ${value.slice(0, 80)}`),
      );
    return text;
  }

  return {
    async read(fqdn: string, type: ProviderRecordType, ctx: CallContext): Promise<HeldSet | undefined> {
      const zoneId = await zoneOf(fqdn, ctx);
      const out = await call(ctx, () =>
        api.listRecordSets(
          {
            HostedZoneId: zoneId,
            StartRecordName: `${fqdn}.`,
            StartRecordType: type,
            MaxItems: SETS_PER_READ,
          },
          ctx,
        ),
      );
      const here = (out.ResourceRecordSets ?? []).filter(
        (r) => r.Type === type && fromRoute53Name(r.Name ?? "") === fqdn,
      );
      const [raw] = here;
      if (raw === undefined) return undefined;
      const routed = ROUTED.filter((k) => raw[k] !== undefined);
      if (here.length > 1 || routed.length > 0)
        throw vendorFailure(
          "provider_conflict",
          new VendorError(
            vendor,
            `the ${type} set of ${fqdn} uses ${routed.length > 0 ? routed.join(", ") : "several record sets"}; Beacon manages simple sets only`,
          ),
        );
      const values = (raw.ResourceRecords ?? []).map((r) => valueOf(type, r.Value ?? ""));
      const set = vendorSet(vendor, type, raw.TTL ?? 0, values);
      return set === undefined ? undefined : { set, zoneId, raw };
    },

    async write(
      req: { fqdn: string; type: ProviderRecordType; values: readonly string[]; ttl: number | undefined },
      current: HeldSet | undefined,
      ctx: CallContext,
    ) {
      const zoneId = current?.zoneId ?? (await zoneOf(req.fqdn, ctx));
      const rrset: ResourceRecordSet = {
        ...current?.raw,
        Name: `${req.fqdn}.`,
        Type: req.type,
        TTL: ttlToWrite(req, current?.set, s.ttl),
        ResourceRecords: req.values.map((v) => ({ Value: req.type === "TXT" ? toRoute53Txt(v) : v })),
      };
      await call(ctx, () =>
        api.changeRecordSets(
          {
            HostedZoneId: zoneId,
            ChangeBatch: { Comment: "beacon", Changes: [{ Action: "UPSERT", ResourceRecordSet: rrset }] },
          },
          ctx,
        ),
      );
    },

    async remove(_fqdn: string, _type: ProviderRecordType, current: HeldSet, ctx: CallContext) {
      try {
        await call(ctx, () =>
          api.changeRecordSets(
            {
              HostedZoneId: current.zoneId,
              ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: current.raw }] },
            },
            ctx,
          ),
        );
      } catch (e) {
        // Someone else removed it between our read and our DELETE: the set is gone, as asked.
        if (
          isBeaconError(e) &&
          e.cause instanceof VendorError &&
          /but it was not found/i.test(e.cause.message)
        )
          return;
        throw e;
      }
    },
  };
}

/**
 * An SDK failure as a catalogue error. Route 53's error code is the exception's `name`
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/CommonErrors.html and each action's Errors);
 * its message is kept. Anything that is not a service reply (the XML did not parse) is malformed_reply.
 */
export function fromSdkError(vendor: string, e: unknown): BeaconError {
  if (isBeaconError(e)) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const meta = (e as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const status = meta?.httpStatusCode;
  const fault = (e as { $fault?: string }).$fault;
  const isService = fault === "client" || fault === "server";
  const cause = new VendorError(vendor, err.message || err.name, {
    ...(status === undefined ? {} : { status }),
    ...(isService ? { vendorCode: err.name } : {}),
  });
  if (!isService)
    return vendorFailure(
      status !== undefined && status >= 500 ? "provider_unavailable" : "malformed_reply",
      cause,
    );
  return vendorFailure(codeFor(err.name, err.message, status, fault), cause);
}

function codeFor(
  name: string,
  message: string,
  status: number | undefined,
  fault: string | undefined,
): ProviderErrorCode {
  if (AUTH.has(name)) return "provider_auth";
  if (name === "AccessDenied" || name === "AccessDeniedException") return "provider_permission";
  if (RATE.has(name)) return "provider_rate_limited";
  if (name === "NoSuchHostedZone") return "provider_zone_not_found";
  if (name === "InvalidChangeBatch") {
    if (/is not permitted in zone/i.test(message)) return "provider_zone_not_found";
    if (/conflict|already exists|was not found|do not match/i.test(message)) return "provider_conflict";
    return "provider_rejected";
  }
  if (fault === "server" || (status !== undefined && status >= 500)) return "provider_unavailable";
  if (status === 429) return "provider_rate_limited";
  if (status === 401) return "provider_auth";
  if (status === 403) return "provider_permission";
  return "provider_rejected";
}

const AUTH = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "UnrecognizedClientException",
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestExpired",
]);
const RATE = new Set([
  "Throttling",
  "ThrottlingException",
  "PriorRequestNotComplete",
  "TooManyRequestsException",
]);
