// Provider "duckdns": DuckDNS (https://www.duckdns.org/spec.jsp). GET /update?domains=<sub>&token=
// &verbose=true with ip= (A), ipv6= (AAAA) or txt= (TXT): one value per type, write-only, TTL fixed by
// DuckDNS. The verbose reply "OK\n…\nUPDATED|NOCHANGE" gives "changed" or "unchanged"; "KO" is all
// DuckDNS says for both a wrong token and a domain the account does not have, so it is provider_auth
// with both named in the message.
//
// Names: DuckDNS holds records only for <sub>.duckdns.org (and answers them for every name below it),
// so a write is accepted for exactly <sub>.duckdns.org, and a TXT write also for
// _acme-challenge.<sub>.duckdns.org (the ACME use DuckDNS's TXT exists for: it is the sub's TXT).
// Anything deeper is provider_unsupported rather than silently changing the whole sub.
//
// Delete: clear=true with txt= removes the TXT record; for addresses clear=true removes A and AAAA
// together, so deleting one of them is provider_unsupported and `capabilities.delete` is false.
// The token travels in the query string by DuckDNS's design: never in a message (secret-url.ts).

import { z } from "zod";
import { BeaconError } from "../core/errors.js";
import type { HttpReply } from "../net/http.js";
import { httpUrlSetting } from "../net/http-url.js";
import { clip, codeForStatus, VendorError, vendorFailure } from "./errors.js";
import { retryAfterOf } from "./kit/http.js";
import { getWithSecretInUrl, withoutSecret } from "./kit/secret-url.js";
import { secret } from "./kit/secrets.js";
import { assertSupported } from "./kit/sets.js";
import type { ProviderCapabilities, ProviderDefinition, ProviderRecordType, WriteOutcome } from "./types.js";

export const DUCKDNS_ZONE = "duckdns.org";

export interface DuckdnsSettings {
  /** The account token (a UUID, shown on duckdns.org after signing in). */
  readonly token: string;
  readonly endpoint: string;
}

const settings: z.ZodType<DuckdnsSettings> = z.strictObject({
  token: secret(
    z.string({ error: "expected the DuckDNS token (token or token_file)" }).regex(/^[A-Za-z0-9-]{8,64}$/, {
      error: "a DuckDNS token looks like a UUID (letters, digits and '-')",
    }),
  ),
  endpoint: httpUrlSetting({ allowQuery: false }).default("https://www.duckdns.org"),
});

const capabilities: ProviderCapabilities = {
  types: ["A", "AAAA", "TXT"],
  read: false,
  delete: false,
  multiValue: false,
  ttl: false,
};

const SUB = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** The DuckDNS sub-name that holds `type` for `fqdn`; rejects names DuckDNS cannot hold. */
export function duckdnsSub(vendor: string, fqdn: string, type: ProviderRecordType): string {
  const suffix = `.${DUCKDNS_ZONE}`;
  if (!fqdn.endsWith(suffix))
    throw vendorFailure(
      "provider_zone_not_found",
      new VendorError(vendor, `${fqdn} is not a DuckDNS name (<sub>.${DUCKDNS_ZONE})`),
    );
  let labels = fqdn.slice(0, -suffix.length).split(".");
  if (type === "TXT" && labels.length === 2 && labels[0] === "_acme-challenge") labels = labels.slice(1);
  const sub = labels[0];
  if (labels.length !== 1 || sub === undefined || !SUB.test(sub))
    throw new BeaconError(
      "provider_unsupported",
      `${vendor}: DuckDNS holds records only for <sub>.${DUCKDNS_ZONE}${type === "TXT" ? ` (TXT also at _acme-challenge.<sub>.${DUCKDNS_ZONE})` : ""}, not ${fqdn}`,
    );
  return sub;
}

export const duckdnsProvider: ProviderDefinition<DuckdnsSettings> = {
  type: "duckdns",
  description: "DuckDNS (<sub>.duckdns.org, account token); write-only A/AAAA/TXT, one value each",
  settings,
  create(id, s, deps) {
    const vendor = `duckdns ${id}`;
    const unsupported = (what: string) =>
      Promise.reject(new BeaconError("provider_unsupported", `${vendor}: ${what}`));

    async function update(
      sub: string,
      params: Record<string, string>,
      ctx: Parameters<typeof getWithSecretInUrl>[4],
    ): Promise<WriteOutcome> {
      const url = new URL("update", s.endpoint.endsWith("/") ? s.endpoint : `${s.endpoint}/`);
      url.searchParams.set("domains", sub);
      url.searchParams.set("token", s.token);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      url.searchParams.set("verbose", "true");
      const reply = await getWithSecretInUrl(deps, vendor, url.toString(), s.token, ctx);
      return duckdnsOutcome(vendor, sub, reply, s.token, deps.clock());
    }

    return {
      id,
      type: "duckdns",
      capabilities,
      get: () => unsupported("DuckDNS cannot read records"),
      async upsert(req, ctx) {
        assertSupported(vendor, capabilities, req.type, req.values.length);
        const sub = duckdnsSub(vendor, req.fqdn, req.type);
        const value = req.values[0] ?? "";
        const param = req.type === "A" ? "ip" : req.type === "AAAA" ? "ipv6" : "txt";
        return update(sub, { [param]: value }, ctx);
      },
      async delete(fqdn, type, ctx) {
        if (type !== "TXT")
          return unsupported("DuckDNS clears A and AAAA only together (clear=true), not one of them");
        // txt= must be present: clear=true without it would clear the addresses instead.
        return update(duckdnsSub(vendor, fqdn, type), { txt: "", clear: "true" }, ctx);
      },
    };
  },
};

/** Reads DuckDNS's verbose reply: OK + UPDATED/NOCHANGE, or KO. */
export function duckdnsOutcome(
  vendor: string,
  sub: string,
  reply: HttpReply,
  token: string,
  now: number,
): WriteOutcome {
  const text = withoutSecret(reply.body, token);
  if (reply.status !== 200) {
    const code = codeForStatus(reply.status);
    throw vendorFailure(
      code === "provider_zone_not_found" ? "provider_rejected" : code,
      new VendorError(vendor, text.trim() === "" ? `HTTP ${reply.status}` : text, { status: reply.status }),
      { retryAfterMs: code === "provider_rate_limited" ? retryAfterOf(reply, now) : undefined },
    );
  }
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const first = lines[0];
  if (first === "KO")
    throw vendorFailure(
      "provider_auth",
      new VendorError(vendor, `KO: the token is wrong or the account has no domain ${sub}.${DUCKDNS_ZONE}`, {
        status: 200,
        vendorCode: "KO",
      }),
    );
  const last = lines[lines.length - 1];
  if (first !== "OK" || last === undefined)
    throw vendorFailure(
      "malformed_reply",
      new VendorError(vendor, `not a DuckDNS reply: ${clip(text, 80)}`, { status: 200 }),
    );
  if (last === "NOCHANGE") return "unchanged";
  if (last === "UPDATED" || lines.length === 1) return "changed";
  throw vendorFailure(
    "malformed_reply",
    new VendorError(vendor, `DuckDNS said OK without UPDATED or NOCHANGE: ${clip(text, 80)}`, {
      status: 200,
    }),
  );
}
