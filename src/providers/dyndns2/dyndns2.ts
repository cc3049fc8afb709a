// Provider "dyndns2": any dyndns2 update URL (No-IP, Dynu, DynV6, a Beacon server, …), for server
// mirroring (the agent keeps its native dyndns2 target, which shares the settings, the request and
// the reply reading below). GET {url}?hostname=…&myip=… with Basic auth; write-only, one A or AAAA
// value per name, no TTL, no delete. The password only ever travels in the Authorization header.

import { Buffer } from "node:buffer";
import { z } from "zod";
import { BeaconError } from "../../core/errors.js";
import type { HttpReply } from "../../net/http.js";
import { httpUrlSetting } from "../../net/http-url.js";
import { describeUnreadable, readDyndns2Reply } from "./reply.js";
import { codeForStatus, VendorError, vendorFailure, type ProviderErrorCode } from "../errors.js";
import { retryAfterOf, sendVendor } from "../kit/http.js";
import { secret } from "../kit/secrets.js";
import { assertSupported } from "../kit/sets.js";
import type { ProviderCapabilities, ProviderDefinition, ProviderRecordType, WriteOutcome } from "../types.js";

export interface Dyndns2Settings {
  /** The full update URL, e.g. "https://dynupdate.no-ip.com/nic/update" (extra query parameters are kept). */
  readonly url: string;
  readonly username: string;
  /** Password or the service's update key, resolved from password_file by config. */
  readonly password: string;
  /** The name the service knows (default: the record's fqdn). */
  readonly hostname?: string | undefined;
  /** Parameter that carries an IPv6 address: `myip` (Dyn, most) or `myipv6` (No-IP, deSEC, Dynu). */
  readonly send_ipv6_as: "myip" | "myipv6";
}

export const dyndns2Settings: z.ZodType<Dyndns2Settings> = z.strictObject({
  url: secret(httpUrlSetting({ allowQuery: true }), "url"),
  username: z
    .string({ error: "expected the dyndns2 username" })
    .min(1, { error: "the username is empty" })
    .refine((u) => !u.includes(":"), { error: "a Basic-auth username cannot contain ':'" }),
  password: secret(
    z
      .string({ error: "expected the dyndns2 password (or password_file)" })
      .min(1, { error: "the password is empty" }),
  ),
  hostname: z
    .string({ error: "expected one hostname" })
    .regex(/^[^\s,]{1,253}$/, { error: "expected exactly one hostname (no commas or spaces)" })
    .optional(),
  send_ipv6_as: z.enum(["myip", "myipv6"], { error: "expected myip or myipv6" }).default("myip"),
});

/**
 * The update request for `values` (validated addresses) of `fqdn`: URL and headers without the
 * User-Agent (the caller adds its own). Our parameters replace any of the same name in the URL.
 */
export function dyndns2Request(
  s: Dyndns2Settings,
  fqdn: string,
  type: "A" | "AAAA",
  values: readonly string[],
): { url: string; headers: Record<string, string> } {
  const url = new URL(s.url);
  const param = type === "AAAA" && s.send_ipv6_as === "myipv6" ? "myipv6" : "myip";
  for (const p of ["hostname", "myip", "myipv6"]) url.searchParams.delete(p);
  // Values are validated addresses ([0-9a-f.:]); ',' and ':' stay literal, as ddclient sends them.
  const ours = `hostname=${encodeURIComponent(s.hostname ?? fqdn)}&${param}=${values.join(",")}`;
  url.search = url.search === "" ? `?${ours}` : `${url.search}&${ours}`;
  const authorization = `Basic ${Buffer.from(`${s.username}:${s.password}`, "utf8").toString("base64")}`;
  return { url: url.toString(), headers: { authorization, accept: "text/plain" } };
}

const CAPABILITIES: ProviderCapabilities = {
  types: ["A", "AAAA"],
  read: false,
  delete: false,
  multiValue: false,
  ttl: false,
};

/** Refusal words → catalogue codes (docs/providers/dyndns2.md). */
const REFUSED: Readonly<Record<string, ProviderErrorCode>> = {
  badauth: "provider_auth",
  nohost: "provider_zone_not_found",
  notfqdn: "provider_zone_not_found",
  "!active": "provider_zone_not_found",
  abuse: "provider_permission",
  badagent: "provider_permission",
  "!donator": "provider_permission",
  "!yours": "provider_permission",
  numhost: "provider_rejected",
  badsys: "provider_rejected",
};

export const dyndns2Provider: ProviderDefinition<Dyndns2Settings> = {
  type: "dyndns2",
  description: "Any dyndns2 update URL (No-IP, Dynu, DynV6, a Beacon server, …); write-only A/AAAA",
  settings: dyndns2Settings,
  create(id, s, deps) {
    const vendor = `dyndns2 ${new URL(s.url).host}`;
    const unsupported = (what: string) =>
      Promise.reject(new BeaconError("provider_unsupported", `${vendor} (${id}): ${what}`));
    return {
      id,
      type: "dyndns2",
      capabilities: CAPABILITIES,
      get: () => unsupported("the dyndns2 protocol cannot read records"),
      delete: () => unsupported("the dyndns2 protocol cannot delete records"),
      async upsert(req, ctx) {
        assertSupported(vendor, CAPABILITIES, req.type, req.values.length);
        const type = req.type as Exclude<ProviderRecordType, "TXT">;
        const { url, headers } = dyndns2Request(s, req.fqdn, type, req.values);
        const reply = await sendVendor(deps, vendor, { method: "GET", url, headers }, ctx);
        return outcomeOf(vendor, reply, req.values, deps.clock());
      },
    };
  },
};

function outcomeOf(vendor: string, reply: HttpReply, sent: readonly string[], now: number): WriteOutcome {
  const r = readDyndns2Reply(reply, sent, now);
  switch (r.kind) {
    case "good":
      return "changed";
    case "nochg":
      return "unchanged";
    case "refused":
      throw vendorFailure(
        REFUSED[r.word] ?? "provider_rejected",
        new VendorError(vendor, `${r.hint} (${r.said})`, { vendorCode: r.word }),
      );
    case "wait":
      throw vendorFailure("provider_unavailable", new VendorError(vendor, r.said, { vendorCode: r.word }), {
        retryAfterMs: r.waitMs,
      });
    case "unreadable":
      if (r.code === "empty_reply" || r.code === "bad_reply")
        throw vendorFailure("malformed_reply", new VendorError(vendor, describeUnreadable(r)));
      throw vendorFailure(statusCode(r.status), new VendorError(vendor, r.said, { status: r.status }), {
        retryAfterMs: retryAfterOf(reply, now),
      });
  }
}

/** A non-2xx without a dyndns2 word. A 404 means a wrong update URL here, not a missing zone. */
function statusCode(status: number): ProviderErrorCode {
  const code = codeForStatus(status);
  return code === "provider_zone_not_found" ? "provider_rejected" : code;
}
