// Provider "gandi": Gandi LiveDNS (API v5) with a personal access token (Authorization: Bearer …).
// Gandi's deprecated API keys (`Authorization: Apikey …`) are not supported. LiveDNS holds whole
// record sets at /domains/{domain}/records/{rrset_name}/{rrset_type}: GET reads one, PUT
// {rrset_values, rrset_ttl} replaces it, DELETE removes it; an A/AAAA/TXT set has nothing but values
// and a TTL, so replacing it loses no vendor setting. TXT values are quoted character strings.
// Gandi's TTL floor is 300 s: a lower TTL is raised to 300 (and compared as 300); `capabilities.minTtl`
// says so.

import { z } from "zod";
import { BeaconError } from "../core/errors.js";
import { httpUrlSetting } from "../net/http-url.js";
import type { HttpReply } from "../net/http.js";
import type { ProviderErrorCode } from "./errors.js";
import { sendVendor, tryJson } from "./kit/http.js";
import { rrsetProvider } from "./kit/rrset-provider.js";
import { secret } from "./kit/secrets.js";
import { relativeName, ttlToWrite, vendorSet, fullCapabilities } from "./kit/sets.js";
import { statusFailure } from "./kit/status-failure.js";
import { withTtlFloor } from "./kit/ttl-floor.js";
import { fromContent, toContent } from "./kit/txt-presentation.js";
import type {
  CallContext,
  Provider,
  ProviderCapabilities,
  ProviderDefinition,
  ProviderDeps,
  ProviderRRSet,
} from "./types.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";
import { ZoneWalker } from "./kit/zone-walk.js";

const VENDOR = "Gandi";
const MIN_TTL = 300;
const MAX_TTL = 2_592_000;
const DEFAULT_TTL = 10_800;

export interface GandiSettings {
  /** Personal access token with "Manage domain name technical configurations" on the domain. */
  readonly api_token: string;
  /** The domain as LiveDNS knows it; when absent it is found by name. */
  readonly zone?: string | undefined;
  /** TTL of a new set when the write has none (300–2592000); default 10800. */
  readonly ttl?: number | undefined;
  readonly endpoint: string;
}

const settings: z.ZodType<GandiSettings> = z.strictObject({
  api_token: secret(
    z
      .string({ error: "expected a Gandi personal access token (api_token or api_token_file)" })
      .regex(/^[A-Za-z0-9._~+/=-]+$/, { error: "a personal access token is one word" }),
  ),
  zone: zoneNameSetting.optional(),
  ttl: z
    .number({ error: "expected a TTL in seconds" })
    .int({ error: "expected a whole number of seconds" })
    .min(MIN_TTL, { error: `Gandi's smallest TTL is ${MIN_TTL}` })
    .max(MAX_TTL, { error: `Gandi's largest TTL is ${MAX_TTL}` })
    .optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://api.gandi.net/v5/livedns"),
});

const capabilities: ProviderCapabilities = fullCapabilities(MIN_TTL);

export const gandiProvider: ProviderDefinition<GandiSettings> = {
  type: "gandi",
  description: "Gandi LiveDNS (API v5, personal access token)",
  settings,
  create: (id, s, deps) => createGandi(id, s, deps),
};

const RRSet = z.object({
  rrset_type: z.string(),
  rrset_ttl: z.number().int(),
  rrset_values: z.array(z.string()),
});
const GandiError = z.object({
  code: z.number().optional(),
  message: z.string(),
  object: z.string().optional(),
  cause: z.string().optional(),
  errors: z.array(z.object({ name: z.string().optional(), description: z.string() })).optional(),
});

function createGandi(id: string, s: GandiSettings, deps: ProviderDeps): Provider {
  const base = s.endpoint.replace(/\/+$/, "");
  const walker = new ZoneWalker<string>(VENDOR);

  async function call(
    method: "GET" | "PUT" | "DELETE",
    path: string,
    ctx: CallContext,
    body?: unknown,
  ): Promise<HttpReply> {
    return sendVendor(
      deps,
      VENDOR,
      {
        method,
        url: `${base}${path}`,
        headers: {
          authorization: `Bearer ${s.api_token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      ctx,
    );
  }

  /** Gandi's error body as the cause; 404 means what the caller says (no domain, or no set). */
  function failure(reply: HttpReply, notFound: ProviderErrorCode = "provider_zone_not_found"): BeaconError {
    const body = GandiError.safeParse(tryJson(reply.body));
    const details = body.success
      ? (body.data.errors ?? []).map((e) => `${e.name ?? ""}: ${e.description}`)
      : [];
    const words = body.success
      ? {
          message: [body.data.message, ...details].join("; "),
          vendorCode: body.data.object ?? body.data.cause,
        }
      : undefined;
    const code = reply.status === 404 ? notFound : undefined;
    return statusFailure(VENDOR, reply, deps.clock(), words, { code });
  }

  async function domainOf(fqdn: string, ctx: CallContext): Promise<string> {
    if (s.zone !== undefined) {
      if (!inZone(fqdn, s.zone))
        throw new BeaconError("provider_zone_not_found", `${VENDOR}: ${fqdn} is not in domain ${s.zone}`, {
          details: { provider: VENDOR },
        });
      return s.zone;
    }
    const found = await walker.find(fqdn, async (name) => {
      const reply = await call("GET", `/domains/${name}`, ctx);
      if (reply.status === 404) return undefined;
      if (reply.status !== 200) throw failure(reply);
      return name;
    });
    return found.zone;
  }

  // Canonical names are [a-z0-9_-] labels; "@" (the apex) is a valid path character.
  const setPath = (domain: string, fqdn: string, type: string) =>
    `/domains/${domain}/records/${relativeName(fqdn, domain)}/${type}`;

  const inner = rrsetProvider<{ set: ProviderRRSet; domain: string }>({
    id,
    type: "gandi",
    vendor: VENDOR,
    capabilities,
    api: {
      async read(fqdn, type, ctx) {
        const domain = await domainOf(fqdn, ctx);
        const reply = await call("GET", setPath(domain, fqdn, type), ctx);
        if (reply.status === 404) {
          // "Can't find the DNS record" (object dns-record) is an empty set; any other 404 is the domain.
          const body = GandiError.safeParse(tryJson(reply.body));
          if (body.success && body.data.object === "dns-record") return undefined;
          throw failure(reply);
        }
        if (reply.status !== 200) throw failure(reply);
        const held = vendorReply(reply, VENDOR, RRSet);
        if (held.rrset_type !== type) return undefined;
        const values = held.rrset_values.map((v) => fromContent(VENDOR, type, v));
        const set = vendorSet(VENDOR, type, held.rrset_ttl, values);
        return set === undefined ? undefined : { set, domain };
      },
      async write(req, current, ctx) {
        const domain = current?.domain ?? (await domainOf(req.fqdn, ctx));
        const body = {
          rrset_values: req.values.map((v) => toContent(req.type, v)),
          rrset_ttl: Math.min(ttlToWrite(req, current?.set, s.ttl ?? DEFAULT_TTL), MAX_TTL),
        };
        const reply = await call("PUT", setPath(domain, req.fqdn, req.type), ctx, body);
        if (reply.status !== 200 && reply.status !== 201) throw failure(reply);
      },
      async remove(fqdn, type, current, ctx) {
        const reply = await call("DELETE", setPath(current.domain, fqdn, type), ctx);
        // 404: gone already (another writer) — the goal is reached.
        if (reply.status !== 204 && reply.status !== 200 && reply.status !== 404) throw failure(reply);
      },
    },
  });

  return {
    ...inner,
    upsert: (req, ctx) => inner.upsert(withTtlFloor(req, MIN_TTL), ctx),
  };
}
