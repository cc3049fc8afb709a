// THE PROVIDER TEMPLATE (docs/contributing.md, "Adding a DNS provider"). A complete provider for an
// imaginary vendor, "Example DNS", that compiles, passes the shared contract suite (_template.test.ts)
// and is deliberately NOT in registry.ts, so users never see it. To add a vendor:
//   1. Copy this file to src/providers/<vendor>.ts, _template.test.ts to <vendor>.test.ts and
//      testing/fakes/_template.ts to testing/fakes/<vendor>.ts; rename "template"/"Template" throughout.
//   2. Change what the CHANGE comments point at; delete this numbered list and the CHANGE comments,
//      and write the usual head comment: the vendor, its API version and auth, how it reads and
//      writes a set, what it keeps, a link to its docs (see desec.ts or powerdns.ts).
//   3. Registry: `import { <vendor>Provider } from "./<vendor>.js";` and add `<vendor>Provider` to
//      DEFINITIONS in registry.ts (that one line makes it an agent target and a mirror target). Give
//      its secret settings a line in kit/secrets.test.ts (that test covers every registered provider).
//   4. A page docs/providers/<vendor>.md with a `beacon mirror add` example (a test parses every page's
//      examples with the real command and this schema) and a row in docs/providers/README.md.
//
// Provider "template": the Example DNS API v1 with a bearer token. This one holds whole record sets,
// so it is built on kit/rrset-provider.ts (read before writing, "unchanged" without a write, delete
// only what exists — all done there once). For an API holding one record per value, build on
// planRecords + applyPlan instead (kit/record-plan.ts, kit/record-writes.ts; see digitalocean.ts).
// Reads one set with GET /zones/{zone}/rrsets/{name}/{type} ({name} relative, "@" at the apex; 404
// "rrset_not_found" when there is none), writes it with PUT on the same path (creates or replaces in
// one request), deletes it with DELETE. Errors are {"error": {"code", "message"}}.

import { z } from "zod";
import { MAX_TTL } from "../core/records.js";
import { httpUrlSetting } from "../net/http-url.js";
import type { HttpReply } from "../net/http.js";
import { codeForStatus, VendorError, vendorFailure, type ProviderErrorCode } from "./errors.js";
import { retryAfterOf, sendVendor, tryJsonBody, type VendorRequest } from "./kit/http.js";
import { rrsetProvider, type RRSetApi } from "./kit/rrset-provider.js";
import { secret } from "./kit/secrets.js";
import { fullCapabilities, relativeName, ttlToWrite, vendorSet } from "./kit/sets.js";
import { vendorReply } from "./kit/vendor-reply.js";
import { inZone, zoneNameSetting } from "./kit/zone-setting.js";
import type { CallContext, ProviderDefinition, ProviderDeps, ProviderRRSet } from "./types.js";

// CHANGE: the vendor's settings. A z.strictObject (a misspelt key is an error naming it), snake_case
// keys, messages that say what would be right. Mark each secret with secret(…): views redact it, the
// registry cuts its value out of every error, and users may write `<name>_file` instead.
export const templateSettings = z.strictObject({
  api_token: secret(z.string().min(1, "an Example DNS API token is required")),
  /** The zone as the vendor names it. A vendor that can list zones may find it instead (kit/zone-list.ts). */
  zone: zoneNameSetting,
  /** HTTP providers take an endpoint defaulting to the vendor's base URL: tests point it at the fake. */
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://api.example-dns.test/v1/"),
  /** TTL of sets Beacon creates when the write names none. */
  ttl: z.number().int().min(1).max(MAX_TTL).default(300),
});
export type TemplateSettings = z.output<typeof templateSettings>;

// CHANGE: `type` is the name users write in their configuration; `description` is one line for
// `beacon providers`. Capabilities say what the vendor can hold (kit/sets.ts fullCapabilities: A, AAAA
// and TXT sets, several values, read, delete, TTL; pass the vendor's lowest TTL if it has one).
export const templateProvider: ProviderDefinition<TemplateSettings> = {
  type: "template",
  description: "Example DNS API v1 with a bearer token (the provider template; not registered)",
  settings: templateSettings,
  create: (id, s, deps) =>
    rrsetProvider({
      id,
      type: "template",
      vendor: `template ${id}`,
      capabilities: fullCapabilities(),
      api: templateApi(`template ${id}`, s, deps),
    }),
};

// CHANGE: the vendor's reply shapes, as its docs give them. vendorReply() turns anything else into
// malformed_reply naming the vendor; never read a field the schema has not checked.
const rrsetReply = z.object({
  rrset: z.object({ ttl: z.number().int().nonnegative(), values: z.array(z.string()) }),
});
const errorReply = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

// CHANGE: the vendor's documented error codes → the catalogue's stable codes (providers/errors.ts).
// A code not listed falls back to the HTTP status (codeForStatus). A Map, so a vendor code such as
// "constructor" cannot reach Object.prototype.
const CODES: ReadonlyMap<string, ProviderErrorCode> = new Map([
  ["unauthorized", "provider_auth"],
  ["forbidden", "provider_permission"],
  ["zone_not_found", "provider_zone_not_found"],
  ["conflict", "provider_conflict"],
  ["rate_limited", "provider_rate_limited"],
  ["invalid_value", "provider_rejected"],
]);

function templateApi(
  vendor: string,
  s: TemplateSettings,
  deps: ProviderDeps,
): RRSetApi<{ set: ProviderRRSet }> {
  const base = s.endpoint.replace(/\/+$/, "");

  /** 2xx replies, and undefined for a set that does not exist; any other reply rejects. */
  const call = async (req: VendorRequest, ctx: CallContext): Promise<HttpReply | undefined> => {
    // CHANGE: the vendor's authentication. Signed APIs have helpers in kit/signing/.
    const headers: Record<string, string> = {
      authorization: `Bearer ${s.api_token}`,
      accept: "application/json",
    };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    // sendVendor: our User-Agent, the caller's signal and local address, aborted / network_error.
    const reply = await sendVendor(deps, vendor, { ...req, headers }, ctx);
    if (reply.status >= 200 && reply.status < 300) return reply;
    if (reply.status === 404 && tryJsonBody(reply.body, errorReply)?.error.code === "rrset_not_found")
      return undefined;
    throw failure(vendor, reply, deps.clock());
  };

  const setUrl = (fqdn: string, type: string): string => {
    // A name outside the zone never reaches the vendor.
    if (!inZone(fqdn, s.zone))
      throw vendorFailure(
        "provider_zone_not_found",
        new VendorError(vendor, `${fqdn} is not inside the configured zone ${s.zone}`),
      );
    const name = encodeURIComponent(relativeName(fqdn, s.zone));
    return `${base}/zones/${encodeURIComponent(s.zone)}/rrsets/${name}/${type}`;
  };

  // CHANGE: the three calls. Values go out canonical (the port's contract); convert to the vendor's
  // forms here, e.g. quoted TXT with kit/txt-presentation.ts, and back in read().
  return {
    async read(fqdn, type, ctx) {
      const reply = await call({ method: "GET", url: setUrl(fqdn, type) }, ctx);
      if (reply === undefined) return undefined;
      const held = vendorReply(reply, vendor, rrsetReply).rrset;
      // vendorSet canonicalises and sorts, and calls a value invalid for the type malformed_reply.
      const set = vendorSet(vendor, type, held.ttl, held.values);
      return set === undefined ? undefined : { set };
    },
    async write(req, current, ctx) {
      // An undefined TTL keeps the one the vendor holds; a new set gets the `ttl` setting.
      const body = { ttl: ttlToWrite(req, current?.set, s.ttl), values: req.values };
      await call({ method: "PUT", url: setUrl(req.fqdn, req.type), body: JSON.stringify(body) }, ctx);
    },
    async remove(fqdn, type, _current, ctx) {
      await call({ method: "DELETE", url: setUrl(fqdn, type) }, ctx);
    },
  };
}

/**
 * A failed reply as a catalogue error: the vendor's code and message when the body is its JSON error
 * (tryJsonBody: error bodies are JSON, plain text or empty, and plain text stands as it is), the
 * status otherwise; Retry-After becomes details.retryAfterMs.
 */
function failure(vendor: string, reply: HttpReply, now: number) {
  const parsed = tryJsonBody(reply.body, errorReply)?.error;
  const message = parsed?.message ?? (reply.body.trim() === "" ? `HTTP ${reply.status}` : reply.body);
  const cause = new VendorError(vendor, message, {
    status: reply.status,
    ...(parsed === undefined ? {} : { vendorCode: parsed.code }),
  });
  const code = (parsed === undefined ? undefined : CODES.get(parsed.code)) ?? codeForStatus(reply.status);
  return vendorFailure(code, cause, { retryAfterMs: retryAfterOf(reply, now) });
}
