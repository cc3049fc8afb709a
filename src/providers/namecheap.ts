// Provider "namecheap": Namecheap's Dynamic DNS (https://www.namecheap.com/support/knowledgebase/
// article.aspx/29/11/): GET https://dynamicdns.park-your-domain.com/update?host=&domain=&password=&ip=
// with the domain's Dynamic DNS password (Advanced DNS → Dynamic DNS), which Namecheap only takes in
// the query string. It is write-only, updates existing "A + Dynamic DNS" host records only (Namecheap
// documents no IPv6: AAAA and TXT are provider_unsupported), one value, no TTL, no delete. The reply
// is XML (<interface-response> with ErrCount, errors/Err1…, Done) and HTTP 200 even for errors;
// Namecheap never says "no change", so every accepted write is "changed".
//
// The URL carries the password, so it never appears in a message, and vendor text has the password
// cut out (secret-url.ts).

import { z } from "zod";
import { BeaconError } from "../core/errors.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { clip, codeForStatus, VendorError, vendorFailure, type ProviderErrorCode } from "./errors.js";
import { retryAfterOf } from "./kit/http.js";
import { getWithSecretInUrl, withoutSecret } from "./kit/secret-url.js";
import { secret } from "./kit/secrets.js";
import { assertSupported, relativeName } from "./kit/sets.js";
import type { ProviderCapabilities, ProviderDefinition } from "./types.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";

export interface NamecheapSettings {
  /** The domain's Dynamic DNS password (not the account password, not an API key). */
  readonly password: string;
  /** The domain registered at Namecheap, e.g. example.com. */
  readonly domain: string;
  /** The host record to update instead of the name's relative part ("@" apex, "*" wildcard). */
  readonly host?: string | undefined;
  readonly endpoint: string;
}

const settings: z.ZodType<NamecheapSettings> = z.strictObject({
  password: secret(
    z
      .string({ error: "expected the domain's Dynamic DNS password (password or password_file)" })
      .regex(/^[A-Za-z0-9]+$/, { error: "a Namecheap Dynamic DNS password is letters and digits only" }),
  ),
  domain: zoneNameSetting,
  host: z
    .string({ error: "expected a host record name" })
    .regex(/^(@|\*|[A-Za-z0-9_*](?:[A-Za-z0-9_.*-]{0,200}[A-Za-z0-9_])?)$/, {
      error: 'expected a host record such as "home", "@" (the domain itself) or "*"',
    })
    .optional(),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://dynamicdns.park-your-domain.com"),
});

const capabilities: ProviderCapabilities = {
  types: ["A"],
  read: false,
  delete: false,
  multiValue: false,
  ttl: false,
};

export const namecheapProvider: ProviderDefinition<NamecheapSettings> = {
  type: "namecheap",
  description: "Namecheap Dynamic DNS (per-domain password); write-only, A records only",
  settings,
  create(id, s, deps) {
    const vendor = `namecheap ${id}`;
    const unsupported = (what: string) =>
      Promise.reject(new BeaconError("provider_unsupported", `${vendor}: ${what}`));
    return {
      id,
      type: "namecheap",
      capabilities,
      get: () => unsupported("Namecheap Dynamic DNS cannot read records"),
      delete: () => unsupported("Namecheap Dynamic DNS cannot delete records"),
      async upsert(req, ctx) {
        if (req.type !== "A")
          throw new BeaconError(
            "provider_unsupported",
            `${vendor}: Namecheap Dynamic DNS updates A records only (no ${req.type}; IPv6 is not supported)`,
          );
        assertSupported(vendor, capabilities, req.type, req.values.length);
        if (s.host === undefined && !inZone(req.fqdn, s.domain))
          throw vendorFailure(
            "provider_zone_not_found",
            new VendorError(vendor, `${req.fqdn} is not in the configured domain ${s.domain}`),
          );
        const url = new URL("update", s.endpoint.endsWith("/") ? s.endpoint : `${s.endpoint}/`);
        url.searchParams.set("host", s.host ?? relativeName(req.fqdn, s.domain));
        url.searchParams.set("domain", s.domain);
        url.searchParams.set("password", s.password);
        url.searchParams.set("ip", req.values[0] ?? "");
        const reply = await getWithSecretInUrl(deps, vendor, url.toString(), s.password, ctx);
        const failure = namecheapFailure(vendor, reply, s.password, deps.clock());
        if (failure !== undefined) throw failure;
        return "changed";
      },
    };
  },
};

/** Namecheap's error texts → catalogue codes (docs/providers/namecheap.md). */
const BY_TEXT: readonly (readonly [RegExp, ProviderErrorCode])[] = [
  [/password/i, "provider_auth"],
  [
    /domain name not (found|active)|not associated|record not found|no records updated/i,
    "provider_zone_not_found",
  ],
  [/too many|rate limit/i, "provider_rate_limited"],
];

/** Reads one <interface-response>; undefined when Namecheap accepted the update. */
export function namecheapFailure(
  vendor: string,
  reply: HttpReply,
  password: string,
  now: number,
): BeaconError | undefined {
  const text = withoutSecret(reply.body, password);
  if (reply.status !== 200) {
    const code = codeForStatus(reply.status);
    // A 404 here is a wrong endpoint, not a missing domain.
    return vendorFailure(
      code === "provider_zone_not_found" ? "provider_rejected" : code,
      new VendorError(vendor, text.trim() === "" ? `HTTP ${reply.status}` : text, { status: reply.status }),
      { retryAfterMs: code === "provider_rate_limited" ? retryAfterOf(reply, now) : undefined },
    );
  }
  const response = /<interface-response>([\s\S]*)<\/interface-response>/.exec(text)?.[1];
  const errCount =
    response === undefined ? undefined : /<ErrCount>\s*(\d+)\s*<\/ErrCount>/.exec(response)?.[1];
  if (response === undefined || errCount === undefined)
    return vendorFailure(
      "malformed_reply",
      new VendorError(vendor, `not a Namecheap interface-response: ${clip(text, 80)}`, { status: 200 }),
    );
  if (errCount === "0") return undefined;
  const errors = [...response.matchAll(/<Err\d+>([\s\S]*?)<\/Err\d+>/g)].map((m) => unescapeXml(m[1] ?? ""));
  const said = errors.join("; ") || `ErrCount ${errCount}`;
  const number = /<ResponseNumber>\s*(\d+)\s*<\/ResponseNumber>/.exec(response)?.[1];
  return vendorFailure(
    BY_TEXT.find(([re]) => re.test(said))?.[1] ?? "provider_rejected",
    new VendorError(vendor, said, { status: 200, ...(number === undefined ? {} : { vendorCode: number }) }),
  );
}

function unescapeXml(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
}
